"""Organisations: universities, institutes, enterprises, service providers and the platform."""
