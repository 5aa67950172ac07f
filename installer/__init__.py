"""Build-time helpers for build_installer.spec: what goes into the app bundle, and in what shape."""
