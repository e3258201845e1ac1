"""Static files: hashed names (cache-busting) and pre-compressed copies, served by WhiteNoise forever.

`shequ collectstatic` (run by `shequ serve` and in deployment) writes each file under a name with its
content hash plus `.gz` and `.br` copies; WhiteNoise then serves them compressed with a one-year,
immutable cache lifetime. Before `collectstatic` has run (a fresh checkout, the test suite) a name that is
not in the manifest is served under its plain name by the finders, instead of failing the page.
"""

from __future__ import annotations

from whitenoise.storage import CompressedManifestStaticFilesStorage


class StaticStorage(CompressedManifestStaticFilesStorage):
    manifest_strict = False

    def url(self, name: str | None, force: bool = False) -> str:
        # Hashed names with DEBUG on too, as soon as a manifest exists (`shequ serve` runs collectstatic).
        return super().url(name, force=force or bool(self.hashed_files))

    def stored_name(self, name: str) -> str:
        try:
            return super().stored_name(name)
        except ValueError:  # not collected yet: the plain name, found by the static-file finders
            return name
