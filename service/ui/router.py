"""The console's pages: server-rendered shells (no data, no key); console.js fills them from /v1."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, FastAPI, Request
from fastapi import Path as PathParam
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates

HERE = Path(__file__).resolve().parent
STATIC = HERE / "static"
# Jinja2Templates turns autoescaping on for .html templates.
templates = Jinja2Templates(directory=HERE / "templates")

router = APIRouter(prefix="/ui", include_in_schema=False)

JobId = Annotated[str, PathParam(pattern=r"^[A-Za-z0-9_-]{1,64}$")]


def _page(request: Request, template: str, title: str, **context: str) -> HTMLResponse:
    return templates.TemplateResponse(request, template, {"title": title, **context})


@router.get("")
def root() -> Response:
    return RedirectResponse("/ui/", status_code=307)


@router.get("/", response_class=HTMLResponse)
def jobs_page(request: Request) -> HTMLResponse:
    return _page(request, "jobs.html", "Jobs", page="jobs")


@router.get("/login", response_class=HTMLResponse)
def login_page(request: Request) -> HTMLResponse:
    return _page(request, "login.html", "Sign in", page="login")


@router.get("/new", response_class=HTMLResponse)
def new_job_page(request: Request) -> HTMLResponse:
    return _page(request, "new.html", "New job", page="new")


@router.get("/jobs/{job_id}", response_class=HTMLResponse)
def job_page(request: Request, job_id: JobId) -> HTMLResponse:
    return _page(request, "job.html", f"Job {job_id}", page="job", job_id=job_id)


@router.get("/jobs/{job_id}/examples", response_class=HTMLResponse)
def examples_page(request: Request, job_id: JobId) -> HTMLResponse:
    return _page(request, "examples.html", f"Examples of job {job_id}", page="examples", job_id=job_id)


def install_console(app: FastAPI) -> None:
    """Serve the console's pages and its static files under /ui."""
    app.include_router(router)
    app.mount("/ui/static", StaticFiles(directory=STATIC), name="ui-static")
