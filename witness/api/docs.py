"""Browsable API documentation: Swagger UI from the installed ``swagger-ui-bundle`` package.

Nothing is fetched from a CDN (many deployments have no internet). The page is public, like the
OpenAPI document it shows; trying a call needs a token ("Authorize").
"""

from __future__ import annotations

from flask import Blueprint, render_template, send_from_directory, url_for
from swagger_ui_bundle import swagger_ui_path

from witness.api.blueprint import URL_PREFIX
from witness.api.problems import problem_response

bp = Blueprint("api_docs", __name__, url_prefix=f"{URL_PREFIX}/docs")

#: Swagger UI sets inline styles and uses data: images; scripts stay same-origin only.
DOCS_CSP = (
    "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; "
    "frame-ancestors 'none'; form-action 'self'"
)

#: starts Swagger UI; served as a file so the page needs no inline script
INIT_SCRIPT = """\
window.addEventListener("load", function () {
  var root = document.getElementById("swagger-ui");
  window.ui = SwaggerUIBundle({
    url: root.dataset.specUrl,
    domNode: root,
    deepLinking: true,
    validatorUrl: null,
    presets: [SwaggerUIBundle.presets.apis, SwaggerUIStandalonePreset],
    layout: "BaseLayout"
  });
});
"""

_ASSETS = frozenset({"swagger-ui.css", "swagger-ui-bundle.js", "swagger-ui-standalone-preset.js"})


@bp.route("")
def page():
    html = render_template("api/docs.html", spec_url=url_for("api-docs.openapi_json"))
    return html, 200, {"Content-Security-Policy": DOCS_CSP}


@bp.route("/init.js")
def init_script():
    return INIT_SCRIPT, 200, {"Content-Type": "text/javascript; charset=utf-8"}


@bp.route("/assets/<path:filename>")
def asset(filename: str):
    """Swagger UI's own files, from the installed package (only the three the page uses)."""
    if filename not in _ASSETS:
        return problem_response(404, "No such file.")
    return send_from_directory(str(swagger_ui_path), filename, max_age=86400)
