"""The rendering environment: every component that can change the bytes of an issued file.

A release records it, so that when a file re-renders differently the message can name what
differs ("WeasyPrint 70.0 → 71.1; HarfBuzz subsetting: unavailable → 6.0.0") instead of
guessing. The Python packages are read from their installed metadata; Pango and HarfBuzz are the
system libraries WeasyPrint loaded, and "HarfBuzz subsetting" is whether WeasyPrint embeds
fonts with HarfBuzz (when ``libharfbuzz-subset`` is installed) or with fontTools, which gives
other bytes.
"""

from __future__ import annotations

from collections.abc import Iterable
from importlib.metadata import PackageNotFoundError, version

from dpagen.version import __version__

# component key → the name people know it by, in the order messages list them
COMPONENTS = {
    "dpagen": "dpagen",
    "weasyprint": "WeasyPrint",
    "pydyf": "pydyf",
    "fonttools": "fontTools",
    "pillow": "Pillow",
    "pango": "Pango",
    "harfbuzz": "HarfBuzz",
    "harfbuzz-subset": "HarfBuzz subsetting",
    "docxtpl": "docxtpl",
    "python-docx": "python-docx",
    "lxml": "lxml",
}
_PACKAGES = ("weasyprint", "pydyf", "fonttools", "pillow", "docxtpl", "python-docx", "lxml")
UNAVAILABLE = "unavailable"


def rendering_environment() -> dict[str, str]:
    """This process's rendering components and their versions."""
    found = {"dpagen": __version__}
    for package in _PACKAGES:
        try:
            found[package] = version(package)
        except PackageNotFoundError:
            found[package] = UNAVAILABLE
    found.update(_system_libraries())
    return found


def _system_libraries() -> dict[str, str]:
    """Pango and HarfBuzz as WeasyPrint uses them, and whether it subsets with HarfBuzz."""
    import weasyprint.pdf.fonts as pdf_fonts
    from weasyprint.text.ffi import harfbuzz, pango

    number = int(pango.pango_version())
    libraries = {"pango": f"{number // 10000}.{number // 100 % 100}.{number % 100}"}
    libraries["harfbuzz"] = _harfbuzz_version()
    # the test WeasyPrint itself makes before it subsets a font with HarfBuzz
    subsets = pdf_fonts.harfbuzz_subset is not None and harfbuzz.hb_version_atleast(4, 1, 0)
    libraries["harfbuzz-subset"] = libraries["harfbuzz"] if subsets else UNAVAILABLE
    return libraries


def _harfbuzz_version() -> str:
    import cffi

    ffi = cffi.FFI()
    ffi.cdef("const char *hb_version_string(void);")
    for name in ("libharfbuzz-0", "harfbuzz", "libharfbuzz.so.0", "libharfbuzz.0.dylib"):
        try:
            library = ffi.dlopen(name)
        except OSError:
            continue
        text: bytes = ffi.string(library.hb_version_string())
        return text.decode("ascii", "replace")
    return "unknown"


def differences(issued: dict[str, str], current: dict[str, str]) -> list[str]:
    """Each component whose version differs, as "WeasyPrint 70.0 → 71.1"."""
    keys = _in_order(set(issued) | set(current))
    return [
        f"{COMPONENTS.get(key, key)} {issued.get(key, 'not recorded')} → "
        f"{current.get(key, 'not recorded')}"
        for key in keys
        if issued.get(key) != current.get(key)
    ]


def environment_lines(environment: dict[str, str]) -> list[str]:
    """The environment as "WeasyPrint  70.0" lines, in the order of :data:`COMPONENTS`."""
    width = max(len(name) for name in COMPONENTS.values())
    return [
        f"{COMPONENTS.get(key, key):<{width}}  {environment[key]}" for key in _in_order(environment)
    ]


def _in_order(keys: Iterable[str]) -> list[str]:
    """``keys`` in the order of :data:`COMPONENTS`, any others after them by name."""
    present = set(keys)
    return [key for key in COMPONENTS if key in present] + sorted(present - set(COMPONENTS))
