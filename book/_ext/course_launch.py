"""Sphinx extension: the chapters' launch buttons (Binder, Colab, JupyterHub).

sphinx-book-theme draws the buttons from ``html_theme_options``; this fills in what it
cannot know by itself (where the repository lives: ``course_site.locate``) and points
the Colab button at a notebook Colab can open. The theme would send Colab to the page's
MyST Markdown source, which Colab cannot read; the site publishes each chapter as a
plain notebook instead (``scripts/pages_as_notebooks.py``, copied to the site's root
through ``html_extra_path``), with a first cell that installs ``cnn_core`` on Colab.

Without a public GitHub repository there are no buttons, and the build says why.
"""

from __future__ import annotations

from pathlib import Path

from sphinx.util import logging

from course_site import Location, chapter_notebook, launch_text, locate

LOGGER = logging.getLogger(__name__)
PROVIDERS = ("binderhub_url", "colab_url", "jupyterhub_url")


def configure(app, config) -> None:
    options = config.html_theme_options
    buttons = dict(options.get("launch_buttons") or {})
    location = locate(Path(app.confdir), jupyterhub_url=buttons.get("jupyterhub_url", ""))
    app.course_location = location
    # what the front page says about launching, as it is on this build (book/intro.md)
    config.myst_substitutions = {**(config.myst_substitutions or {}), **launch_text(location)}
    if not location.url:
        options["launch_buttons"] = {}
        LOGGER.info(f"course_launch: no launch buttons ({location.reason})")
        return
    buttons["jupyterhub_url"] = location.jupyterhub_url
    options["launch_buttons"] = buttons
    options["repository_url"] = location.url
    options["repository_branch"] = location.branch
    options["path_to_docs"] = ""
    options["use_repository_button"] = True
    on = [p.removesuffix("_url") for p in PROVIDERS if buttons.get(p)]
    LOGGER.info(f"course_launch: {', '.join(on)} buttons for {location.url} ({location.branch})")


def colab_to_notebook(app, pagename, templatename, context, doctree) -> None:
    """Point the theme's Colab button at the chapter's published notebook."""
    location: Location = app.course_location
    colab = (app.config.html_theme_options.get("launch_buttons") or {}).get("colab_url", "").rstrip("/")
    if not location.url or not colab:
        return
    for group in context.get("header_buttons", []):
        if group.get("label") != "launch-buttons":
            continue
        name = chapter_notebook(pagename)
        # html_extra_path is copied into the site at the end of the build: look at its source
        published = any((Path(app.confdir) / extra / name).is_file() for extra in app.config.html_extra_path)
        kept = []
        for button in group["buttons"]:
            if button.get("text") == "Colab":
                if not published:                   # a page without a notebook: no Colab button
                    continue
                button["url"] = f"{colab}/{location.site_file(name)}"
            kept.append(button)
        group["buttons"] = kept


def setup(app):
    app.connect("config-inited", configure)
    # the theme builds its buttons at priority 501; rewrite them after it
    app.connect("html-page-context", colab_to_notebook, priority=502)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
