"""Shared infrastructure of RAN hub: database, reference data, auth, i18n, mail, audit."""
