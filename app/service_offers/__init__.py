"""Service offers: pilot-scale (中试) lines and inspection/testing (检验检测) labs."""
