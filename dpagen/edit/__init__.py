"""Edits dpagen makes to workspace files: new workspaces and clients, annex bumps, upgrades."""
