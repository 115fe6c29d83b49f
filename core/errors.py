"""Error pages in the user's language, and JSON errors under /api/v1."""

from flask import Flask, current_app, render_template
from flask_babel import lazy_gettext as _l
from werkzeug.exceptions import HTTPException

from core.api import error_response, is_api_request

MESSAGES = {
    400: (_l("Bad request"), _l("The request could not be understood. Please go back and try again.")),
    401: (_l("Login required"), _l("Please log in to continue.")),
    403: (_l("Not allowed"), _l("You are not allowed to do this.")),
    404: (_l("Page not found"), _l("The page you are looking for does not exist or has been moved.")),
    405: (_l("Not allowed"), _l("This address does not accept that kind of request.")),
    409: (_l("Conflict"), _l("This change conflicts with the current state. Please reload and try again.")),
    413: (_l("Too large"), _l("What you sent is too large. Please shorten it or send a smaller file.")),
    422: (_l("Invalid input"), _l("Some of what you sent is not valid.")),
    429: (_l("Too many requests"), _l("Too many attempts in a short time. Please wait a little and try again.")),
    500: (_l("Something went wrong"), _l("An error occurred on our side. Please try again later.")),
}


def _message(status: int):
    return MESSAGES.get(status, MESSAGES[500] if status >= 500 else MESSAGES[400])


def handle_http_error(error: HTTPException):
    status = error.code or 500
    title, text = _message(status)
    if is_api_request():
        # Keep a specific description an API view gave (abort(409, "…")).
        generic = type(error).description
        message = error.description if error.description and error.description != generic else str(text)
        response = error_response(status, message)
    else:
        page = render_template("errors/error.html", status=status, title=title, text=text)
        response = current_app.make_response((page, status))
    for header in ("Retry-After", "Allow", "WWW-Authenticate"):
        value = error.get_response().headers.get(header)
        if value:
            response.headers[header] = value
    return response


def init_app(app: Flask) -> None:
    # Unexpected exceptions reach this handler as InternalServerError (Flask logs them).
    app.register_error_handler(HTTPException, handle_http_error)
