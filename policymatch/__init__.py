"""PolicyMatch: 政策翻译官."""
