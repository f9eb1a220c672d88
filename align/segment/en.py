"""English sentence boundaries: the generic period rules with English abbreviations.

Titles and mid-sentence abbreviations (Mr., Dr., H.E., e.g., i.e., vs.) never end a sentence;
No./Vol./pp./Jan. do not before a number; etc., a.m. and p.m. end one when an upper-case word
follows; company and country abbreviations (Inc., Co., U.S.) only when a common
sentence-starting word follows ("…in the U.S. The …" splits, "U.S. Army" does not).
"""

from __future__ import annotations

from align.segment.generic import Rules, cuts_with

_MONTHS = "Jan Feb Mar Apr Jun Jul Aug Sep Sept Oct Nov Dec"

ENGLISH = Rules(
    titles=frozenset(
        """Mr Mrs Ms Messrs Dr Prof St Mt H.E Rev Fr Gen Col Capt Lt Sgt Gov Sen Rep Hon Pres
        Amb Dept Univ e.g i.e cf vs viz approx esp ca al aka""".split()
    ),
    before_number=frozenset(
        f"No no Nos Art Arts Vol vol Vols p pp Fig Figs Ch Sec Para {_MONTHS}".split()
    ),
    end_if_upper=frozenset("etc a.m p.m".split()),
    end_if_starter=frozenset("Inc Ltd Co Corp Jr Sr Bros U.S U.K U.N".split()),
)


def cuts(text: str) -> list[int]:
    """Positions in `text` where an English sentence ends, in order."""
    return cuts_with(text, ENGLISH)
