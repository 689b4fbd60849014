"""HTTP API (/v1) and web console of PolicyMatch; build the app with :func:`api.main.create_app`."""
