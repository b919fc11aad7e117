"""Sphinx configuration of the skstim documentation.

Build (warnings are errors; runs every example of the gallery)::

    python -m sphinx -W --keep-going -b html docs docs/_build/html

Environment variables:

- ``SKSTIM_DOCS_INTERSPHINX=1`` links to the Python, NumPy, scikit-learn, PyTorch,
  skorch and imbalanced-learn documentation (needs the network to fetch their
  inventories); unset, the build needs no network.
- ``SKSTIM_DOCS_FAST=1`` is read by the examples, which then shrink their sizes further.
- ``SKSTIM_DOCS_PLOT_GALLERY=0`` skips running the examples (the pages show the code
  without outputs).
- ``SKSTIM_DATA`` is where the Apnea-ECG example looks for the records (default:
  ``../shared/data`` beside the repository).
"""

import os

import skstim

# -- Project ---------------------------------------------------------------------------
project = "skstim"
author = "skstim developers"
copyright = "skstim developers"
release = skstim.__version__
version = ".".join(release.split(".")[:2])

# -- General ---------------------------------------------------------------------------
extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "sphinx.ext.intersphinx",
    "sphinx.ext.mathjax",
    "sphinx.ext.viewcode",
    "numpydoc",
    "sphinx_gallery.gen_gallery",
    "myst_parser",
]

templates_path = ["_templates"]
exclude_patterns = ["_build", "Thumbs.db", ".DS_Store", "**.ipynb_checkpoints",
                    "auto_examples/*.ipynb", "auto_examples/*.py", "auto_examples/*.zip",
                    "auto_examples/*.json", "auto_examples/*.md5"]
source_suffix = {".rst": "restructuredtext", ".md": "markdown"}
root_doc = "index"
# A benchmark page written by a script may start at a lower heading level than H1.
suppress_warnings = ["myst.header"]

# -- autodoc / autosummary / numpydoc --------------------------------------------------
autosummary_generate = True
autosummary_imported_members = True
autodoc_typehints = "none"
add_module_names = False
numpydoc_show_class_members = False
numpydoc_class_members_toctree = False
numpydoc_attributes_as_param_list = True
numpydoc_xref_param_type = False

# -- MyST (the markdown benchmark pages) -----------------------------------------------
myst_enable_extensions = ["colon_fence"]
myst_heading_anchors = 3

# -- intersphinx: only on request, so that the default build works offline -------------
if os.environ.get("SKSTIM_DOCS_INTERSPHINX", "0") == "1":
    intersphinx_mapping = {
        "python": ("https://docs.python.org/3", None),
        "numpy": ("https://numpy.org/doc/stable", None),
        "sklearn": ("https://scikit-learn.org/stable", None),
        "torch": ("https://docs.pytorch.org/docs/stable", None),
        "skorch": ("https://skorch.readthedocs.io/en/stable", None),
        "imblearn": ("https://imbalanced-learn.org/stable", None),
    }
else:
    intersphinx_mapping = {}

# -- sphinx-gallery --------------------------------------------------------------------
sphinx_gallery_conf = {
    "examples_dirs": ["../examples"],
    "gallery_dirs": ["auto_examples"],
    "filename_pattern": r"/plot_",
    "within_subsection_order": "FileNameSortKey",
    "plot_gallery": os.environ.get("SKSTIM_DOCS_PLOT_GALLERY", "True"),
    "doc_module": ("skstim",),
    "backreferences_dir": "gen_modules/backreferences",
    "remove_config_comments": True,
    "download_all_examples": False,
    "show_memory": False,
    "abort_on_example_error": False,
    "only_warn_on_example_error": False,
    "capture_repr": ("_repr_html_", "__repr__"),
    "matplotlib_animations": False,
}

# -- HTML ------------------------------------------------------------------------------
html_theme = "pydata_sphinx_theme"
html_title = f"skstim {release}"
html_static_path = []
html_show_sourcelink = False
html_theme_options = {
    "navbar_align": "left",
    "show_toc_level": 2,
    "secondary_sidebar_items": ["page-toc"],
    "footer_start": ["copyright"],
    "footer_end": ["sphinx-version"],
}
html_context = {"default_mode": "light"}


# -- Hooks -----------------------------------------------------------------------------
def _skip_request_methods(app, what, name, obj, skip, options):
    """Leave out scikit-learn's generated ``set_*_request`` methods.

    Their docstrings refer to scikit-learn's glossary, which an offline build cannot
    resolve; the class docstrings say which metadata each estimator requests.
    """
    if name.startswith("set_") and name.endswith("_request"):
        return True
    return None


def setup(app):
    app.connect("autodoc-skip-member", _skip_request_methods)
