"""The server-rendered web UI (zh-CN first, English)."""
