"""Strength bands for a predicted frequency, shared by the API, the web page and the CLI.

Bands are by frequency per million leaked passwords: what an attacker who tries the most common
passwords first would reach early (very weak) or never (strong).
"""

from __future__ import annotations

# (lowest frequency per million in the band, band, what it means)
BANDS: tuple[tuple[float, str, str], ...] = (
    (10.0, "very weak", "Among the few thousand most common passwords: guessed almost at once."),
    (1.0, "weak", "Common enough to be in every list of leaked passwords attackers try first."),
    (0.1, "fair", "Rarer than the leak's common head, but close to patterns people reuse."),
    (0.0, "strong", "Looks like nothing people commonly choose: rare in leaked passwords."),
)


def band(frequency_per_million: float) -> tuple[str, str]:
    """The band and its one-sentence meaning."""
    for lowest, name, meaning in BANDS:
        if frequency_per_million >= lowest:
            return name, meaning
    return BANDS[-1][1], BANDS[-1][2]
