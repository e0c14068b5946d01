"""The web graph explorer: server-rendered pages drawn with pyvis/vis-network, served by the API app."""

from .pages import router

__all__ = ["router"]
