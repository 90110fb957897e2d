"""ECM's own date formats (settings.FORMAT_MODULE_PATH): they win over Django's en-GB ones."""
