"""HTTP routes: thin functions that call the library and shape its answers."""
