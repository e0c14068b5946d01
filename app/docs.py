"""The API documentation pages, Swagger UI at /docs and ReDoc at /redoc, with their scripts served here.

FastAPI's own pages load Swagger UI and ReDoc from a CDN, which leaves /docs blank offline. The assets
come from the `fastapi-offline` package (pinned in pyproject.toml; MIT, bundling Swagger UI and ReDoc)
and are served from /static/docs/ by exact file name, like the explorer's static files.
"""

from __future__ import annotations

from functools import cache
from importlib.resources import files
from pathlib import Path
from typing import Any

from fastapi import APIRouter, Request
from fastapi.openapi.docs import get_redoc_html, get_swagger_ui_html, get_swagger_ui_oauth2_redirect_html
from fastapi.responses import FileResponse, HTMLResponse, Response

from graph.errors import ConfigError

DOCS_URL = "/docs"
REDOC_URL = "/redoc"
OAUTH2_REDIRECT_URL = "/docs/oauth2-redirect"
ASSET_PREFIX = "/static/docs/"
ASSETS = ("swagger-ui-bundle.js", "swagger-ui.css", "redoc.standalone.js", "favicon.png")
# ReDoc draws a "Redocly" logo from its CDN in the side menu, whatever its options say; served here with
# that URL replaced by an empty data URL, the logo fails to load without a request and ReDoc hides it.
REDOC_LOGO_URL = b"https://cdn.redoc.ly/redoc/logo-mini.svg"
# validatorUrl None: Swagger UI would otherwise send the schema to an online validator for its badge.
SWAGGER_PARAMETERS: dict[str, Any] = {"validatorUrl": None, "persistAuthorization": False}

router = APIRouter(include_in_schema=False)


@cache
def asset_dir() -> Path:
    """Where the installed `fastapi_offline` package keeps the Swagger UI and ReDoc files."""
    folder = Path(str(files("fastapi_offline") / "static"))
    missing = [name for name in ASSETS if not (folder / name).is_file()]
    if missing:
        raise ConfigError(
            f"{', '.join(missing)} missing from {folder}: reinstall the API docs assets "
            "(pip install -c requirements.lock fastapi-offline)"
        )
    return folder


def _openapi_url(request: Request) -> str:
    return f"{request.scope.get('root_path', '')}{request.app.openapi_url}"


def _asset(request: Request, name: str) -> str:
    return f"{request.scope.get('root_path', '')}{ASSET_PREFIX}{name}"


@router.get(DOCS_URL)
async def swagger_ui(request: Request) -> HTMLResponse:
    """Swagger UI over /openapi.json, every script and style from this server."""
    return get_swagger_ui_html(
        openapi_url=_openapi_url(request),
        title=f"{request.app.title} · API docs",
        oauth2_redirect_url=OAUTH2_REDIRECT_URL,
        swagger_js_url=_asset(request, "swagger-ui-bundle.js"),
        swagger_css_url=_asset(request, "swagger-ui.css"),
        swagger_favicon_url=_asset(request, "favicon.png"),
        swagger_ui_parameters=SWAGGER_PARAMETERS,
    )


@router.get(OAUTH2_REDIRECT_URL)
async def swagger_ui_redirect() -> HTMLResponse:
    return get_swagger_ui_oauth2_redirect_html()


@router.get(REDOC_URL)
async def redoc(request: Request) -> HTMLResponse:
    """ReDoc over /openapi.json, without Google Fonts, its script from this server."""
    return get_redoc_html(
        openapi_url=_openapi_url(request),
        title=f"{request.app.title} · API reference",
        redoc_js_url=_asset(request, "redoc.standalone.js"),
        redoc_favicon_url=_asset(request, "favicon.png"),
        with_google_fonts=False,
    )


@cache
def redoc_script() -> bytes:
    """ReDoc's standalone bundle, its one hard-coded outside URL (the Redocly logo) taken out."""
    return (asset_dir() / "redoc.standalone.js").read_bytes().replace(REDOC_LOGO_URL, b"data:,")


@router.get(ASSET_PREFIX + "{name}")
def asset(name: str) -> Response:
    """One of the documentation assets (only those: the lookup is by exact name)."""
    if name not in ASSETS:
        return Response(status_code=404, content=f"no API docs asset {name!r}", media_type="text/plain")
    headers = {"Cache-Control": "public, max-age=86400"}
    if name == "redoc.standalone.js":
        return Response(redoc_script(), media_type="text/javascript", headers=headers)
    return FileResponse(asset_dir() / name, headers=headers)
