"""Static files under names that carry their content's hash, so that browsers and proxies may
keep them for a year (whitenoise marks such files immutable) and a new release is fetched at
once because its names change."""

from whitenoise.storage import CompressedManifestStaticFilesStorage


class HashedStaticFiles(CompressedManifestStaticFilesStorage):
    """Hashed names once `collectstatic` has written its manifest (every deployment, `make
    serve` and CI's server); plain names before it (tests, `runserver` on a fresh checkout),
    where the manifest storage would refuse to render any page."""

    def stored_name(self, name):
        if not self.hashed_files:
            return name
        return super().stored_name(name)
