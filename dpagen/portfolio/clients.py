"""``dpagen list``: one summary line per client of a workspace."""

from __future__ import annotations

from dataclasses import dataclass

from dpagen.inputs.yaml_positions import load_yaml
from dpagen.workspace import Workspace


@dataclass(frozen=True)
class ClientSummary:
    """What ``dpagen list`` shows of one client."""

    client: str
    name: str
    edition: str
    version: str
    languages: tuple[str, ...]
    readable: bool

    def cells(self) -> tuple[str, ...]:
        """The row as text, in the order of :data:`HEADER`."""
        name = self.name if self.readable else f"{self.name} (unreadable file)"
        return (self.client, name, self.edition, self.version, ",".join(self.languages))


HEADER = ("CLIENT", "NAME", "EDITION", "VERSION", "LANGUAGES")


def list_clients(ws: Workspace) -> list[ClientSummary]:
    """A summary of every client; unreadable files show as such rather than failing."""
    config, _ = load_yaml(ws.config_file, ws.root)
    defaults = config.mapping("defaults")
    summaries = []
    for client in ws.clients():
        doc, problems = load_yaml(ws.agreement_file(client), ws.root)
        meta = doc.mapping("agreement")
        languages = meta.get("languages") or defaults.get("languages") or ["sv"]
        summaries.append(
            ClientSummary(
                client=client,
                name=str(doc.get("client", "name", default="") or "?"),
                edition=str(meta.get("edition") or defaults.get("edition") or "?"),
                version=str(meta.get("version") or "?"),
                languages=tuple(str(lang) for lang in languages)
                if isinstance(languages, list)
                else (),
                readable=not problems,
            )
        )
    return summaries
