"""Calls for solutions (揭榜挂帅): an enterprise publishes a problem with a budget and a deadline, universities and
institutes send sealed proposals, the enterprise evaluates them after the deadline and awards one, which opens a
commissioned-development (技术开发) deal."""
