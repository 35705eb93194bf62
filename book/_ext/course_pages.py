"""Sphinx extension: each page as its readers get it, light, quiet and readable on a phone.

What the theme and its extensions would otherwise send to every reader:

- **no widget manager where no widget is shown.** The explorers of ``cnn_core.widgets``
  show their pre-computed HTML on the site (``nb_mime_priority_overrides``), but a page
  executed with them keeps their widget state in its metadata, and myst-nb then loads
  require.js and the 3.6 MB ipywidgets manager (which asks for three fonts it does not
  ship). Both are dropped from every page that has no widget view;
- **no Thebe.** The site has no live-code button, yet sphinx-thebe declared its settings
  twice per page (a console error) and pointed them at an unrelated Binder repository;
- **Font Awesome from its stylesheet only.** pydata-sphinx-theme loads the icons twice: a
  web font through CSS, and a 1.5 MB script that swaps every icon for an SVG. The script and
  the preloads of the two fonts no page uses (brands, regular) are removed from the pages;
- **a light first visit**: ``html_context['default_mode']`` (the theme says "Got invalid theme mode" when
  none is set), and a favicon, so the browser does not ask for a missing /favicon.ico;
- the chapter's **.ipynb in the download menu** (the plain notebook the site publishes at
  its root, ``scripts/pages_as_notebooks.py``), beside the .md source and the PDF;
- **lighter figures**: a figure that is mostly photograph (a PNG over 100 kB that WebP
  keeps at under 40% of its size) is published as WebP; the other PNGs lose an alpha channel
  they do not use;
- no sphinx-design stylesheet and script on a page without its components;
- **accessible names that match what is shown** (axe-core's label-content-name-mismatch):
  the "Show code cell source" toggles and the search button lose the aria-label that hid
  their visible text; the primary sidebar (site title, search, chapters) is a landmark;
- every figure of a page carries its pixel size (``width``/``height``, and
  ``--natural-width`` for ``course.css``, which on a phone shows a wide figure at no less
  than 60% of it, scrolling sideways inside its own box);
- ``course.css`` and ``course.js`` (``book/_static/``): the phone-width and accessibility
  fixes they describe.
"""

from __future__ import annotations

import re
from pathlib import Path

from docutils import nodes

from course_site import chapter_notebook

STATIC = Path(__file__).resolve().parents[1] / "_static"
PHOTO_BYTES, PHOTO_SHARE = 100_000, 0.4
WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
WIDGET_STATE = "application/vnd.jupyter.widget-state+json"

#: what build-finished removes from every page: Font Awesome's script and unused font preloads
FONT_AWESOME_EXTRAS = re.compile(
    r'[ \t]*<script src="[^"]*/vendor/fontawesome/[^"]*/js/all\.min\.js[^"]*"></script>\n?'
    r'|[ \t]*<link rel="preload" as="font" type="font/woff2" crossorigin '
    r'href="[^"]*/fa-(?:brands|regular)-400\.woff2" />\n?')


def configure(app, config) -> None:
    # pydata-sphinx-theme 0.15 reads the first visit's colour mode from the page context
    config.html_context.setdefault("default_mode", "light")
    config.html_static_path.append(str(STATIC))
    if not config.html_favicon:
        config.html_favicon = str(STATIC / "favicon.svg")


def unhook_thebe(app) -> None:
    """Disconnect sphinx-thebe's settings script and its per-page config (no Thebe here)."""
    for event, listeners in app.events.listeners.items():
        for listener in list(listeners):
            if getattr(listener.handler, "__module__", "").startswith("sphinx_thebe") and \
                    listener.handler.__name__ != "init_thebe_default_config":
                app.disconnect(listener.id)


def _has_widget_view(doctree) -> bool:
    if doctree is None:
        return False
    return any(WIDGET_VIEW in node.astext() for node in doctree.findall(nodes.raw))


def light_assets(app, pagename, templatename, context, doctree) -> None:
    """Drop what this page does not use from its scripts and stylesheets."""
    widget_js = set(app.config.nb_ipywidgets_js) if hasattr(app.config, "nb_ipywidgets_js") else set()
    keep_widgets = _has_widget_view(doctree)
    keep_design = 'class="sd-' in context.get("body", "")
    scripts, seen = context.get("script_files", []), set()
    for script in list(scripts):
        name = str(script.filename or "").removeprefix("_static/")
        attributes = getattr(script, "attributes", {})
        body = attributes.get("body", "")
        drop = ("sphinx-thebe" in name or "THEBE_JS_URL" in body
                or (not keep_design and name == "design-tabs.js")
                or (not keep_widgets and (name in widget_js or attributes.get("type") == WIDGET_STATE))
                or (name, body) in seen)
        seen.add((name, body))
        if drop:
            scripts.remove(script)
    styles = context.get("css_files", [])
    for style in list(styles):
        name = str(style.filename)
        if "sphinx-thebe" in name or (not keep_design and "sphinx-design" in name):
            styles.remove(style)


def notebook_download(app, pagename, templatename, context, doctree) -> None:
    """Offer the chapter's plain notebook first in the page's download menu."""
    name = chapter_notebook(pagename)
    if not any((Path(app.confdir) / extra / name).is_file() for extra in app.config.html_extra_path):
        return
    for group in context.get("header_buttons", []):
        if group.get("label") == "download-buttons":
            group["buttons"].insert(0, {
                "type": "link", "url": context["pathto"](name, 1), "text": ".ipynb",
                "tooltip": "Download this page as a notebook", "icon": "fas fa-code",
                "label": "download-notebook-button"})


def lighter_figures(images: Path) -> dict[str, str]:
    """Re-encode the figures in ``images`` (the site's _images/); returns {old name: new name}
    for those that became WebP."""
    from PIL import Image

    renamed = {}
    for png in sorted(images.glob("*.png")):
        with Image.open(png) as im:
            im.load()
        opaque = im.mode == "RGBA" and im.getchannel("A").getextrema() == (255, 255)
        flat = im.convert("RGB") if opaque else im
        size = png.stat().st_size
        if size > PHOTO_BYTES and flat.mode == "RGB":
            webp = png.with_suffix(".webp")
            flat.save(webp, "WEBP", quality=85, method=6)
            if webp.stat().st_size < PHOTO_SHARE * size:
                png.unlink()
                renamed[png.name] = webp.name
                continue
            webp.unlink()
        if flat is not im:
            smaller = png.with_suffix(".tmp.png")
            flat.save(smaller, "PNG", optimize=True)
            if smaller.stat().st_size < size:
                smaller.replace(png)
            else:
                smaller.unlink()
    return renamed


#: what the pages' HTML gets instead, for accessible names that match what is shown
NAME_FIXES = (
    ('<summary aria-label="Toggle hidden content">', "<summary>"),
    ('class="btn search-button-field search-button__button" title="Search" aria-label="Search"',
     'class="btn search-button-field search-button__button" title="Search"'),
    ('<div class="bd-sidebar-primary bd-sidebar">',
     '<div class="bd-sidebar-primary bd-sidebar" role="complementary" aria-label="Course contents">'),
)
FIGURE = re.compile(r'<img alt="([^"]*)" src="((?:\.\./)*_images/([^"/]+))" />')


def _figure_sizes(images: Path):
    from PIL import Image

    def sized(match):
        alt, src, name = match.groups()
        try:
            with Image.open(images / name) as im:
                w, h = im.size
        except OSError:
            return match.group(0)
        return (f'<img alt="{alt}" src="{src}" width="{w}" height="{h}" '
                f'style="--natural-width:{w}px" />')
    return sized


def finish_pages(app, exception) -> None:
    """After the build: figures re-encoded and sized, every page rid of Font Awesome's
    script and given accessible names that match what it shows."""
    if exception is not None or app.builder.format != "html":
        return
    out = Path(app.outdir)
    renamed = lighter_figures(out / "_images") if (out / "_images").is_dir() else {}
    sized = _figure_sizes(out / "_images")
    for page in out.rglob("*.html"):
        text = page.read_text(encoding="utf-8")
        light = FONT_AWESOME_EXTRAS.sub("", text)
        for old, new in renamed.items():
            light = light.replace(f"_images/{old}", f"_images/{new}")
        for old, new in NAME_FIXES:
            light = light.replace(old, new)
        light = FIGURE.sub(sized, light)
        if light != text:
            page.write_text(light, encoding="utf-8")


def setup(app):
    app.connect("config-inited", configure)
    app.connect("builder-inited", unhook_thebe)
    app.add_css_file("course.css")
    app.add_js_file("course.js", defer="defer")
    # after myst-nb (500) and the book theme's buttons (501) have filled in the page
    app.connect("html-page-context", light_assets, priority=600)
    app.connect("html-page-context", notebook_download, priority=600)
    app.connect("build-finished", finish_pages)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
