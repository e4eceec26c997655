"""Transcript words as the recogniser's dictionary words, with pronunciations for the rest.

PocketSphinx's dictionary (CMUdict, 135 000 words) lacks most names, every number and
acronyms ("GPT-4", "1080p", "Kerbal").  A word it lacks cannot be in the grammar, and a word
left out of the grammar leaves its sound to be forced onto its neighbours, which throws the
whole stretch.  espeak-ng already knows how to say such words (it reads numbers, ordinals,
acronyms and unknown names by rule), so its phonemes (``--ipa``) are mapped onto the CMU
phone set and added to the dictionary.  Without espeak-ng those words become a filler (a
"spoken noise" model) that covers their sound without claiming to know it.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass

# Longest first: diphthongs and r-coloured vowels before their parts.  US English as
# espeak-ng's en-us voice writes it; British symbols map to their nearest US phone.
_IPA_TO_CMU: dict[str, tuple[str, ...]] = {
    "aɪɚ": ("AY", "ER"),
    "aɪə": ("AY", "ER"),
    "aʊɚ": ("AW", "ER"),
    "ɑːɹ": ("AA", "R"),
    "ɔːɹ": ("AO", "R"),
    "oːɹ": ("AO", "R"),
    "ɪɚ": ("IH", "R"),
    "ɪə": ("IH", "R"),
    "ɛɚ": ("EH", "R"),
    "eə": ("EH", "R"),
    "ʊɚ": ("UH", "R"),
    "ʊə": ("UH", "R"),
    "eɪ": ("EY",),
    "aɪ": ("AY",),
    "aʊ": ("AW",),
    "ɔɪ": ("OY",),
    "oʊ": ("OW",),
    "əʊ": ("OW",),
    "tʃ": ("CH",),
    "dʒ": ("JH",),
    "ɜː": ("ER",),
    "ɑː": ("AA",),
    "ɔː": ("AO",),
    "oː": ("AO",),
    "iː": ("IY",),
    "uː": ("UW",),
    "ɝ": ("ER",),
    "ɚ": ("ER",),
    "ɜ": ("ER",),
    "ɑ": ("AA",),
    "ɒ": ("AA",),
    "æ": ("AE",),
    "a": ("AE",),
    "ʌ": ("AH",),
    "ə": ("AH",),
    "ɐ": ("AH",),
    "ɔ": ("AO",),
    "o": ("OW",),
    "ɛ": ("EH",),
    "e": ("EH",),
    "ɪ": ("IH",),
    "ᵻ": ("IH",),
    "i": ("IY",),
    "ʊ": ("UH",),
    "u": ("UW",),
    "p": ("P",),
    "b": ("B",),
    "t": ("T",),
    "d": ("D",),
    "k": ("K",),
    "ɡ": ("G",),
    "g": ("G",),
    "f": ("F",),
    "v": ("V",),
    "θ": ("TH",),
    "ð": ("DH",),
    "s": ("S",),
    "z": ("Z",),
    "ʃ": ("SH",),
    "ʒ": ("ZH",),
    "h": ("HH",),
    "m": ("M",),
    "n": ("N",),
    "ŋ": ("NG",),
    "l": ("L",),
    "ɫ": ("L",),
    "w": ("W",),
    "ʍ": ("W",),
    "j": ("Y",),
    "ɹ": ("R",),
    "r": ("R",),
    "ɾ": ("T",),  # the flap of "eighty" (CMUdict writes it T)
    "ʔ": ("T",),  # the glottal stop of "button"
    "x": ("K",),
    "ç": ("HH",),
    "ɬ": ("L",),
}
_LONGEST = max(map(len, _IPA_TO_CMU))
_SYLLABIC = "\u0329"  # combining mark under n̩, l̩: a schwa before the consonant
_IGNORED = set("ˈˌː.‿͡_-' ") | {"\u0303", "\u032a", "\u0361"}

# Punctuation that is not said; symbols that are ("$5", "10%", "&", "C++") stay.
_UNSPOKEN = ".,!?;:\"'()[]{}<>«»“”‘’…—–-*_~^`|/\\"
_SPOKEN_SYMBOLS = set("$%&+@#€£=")


def spoken_form(token: str) -> str:
    """The token without the punctuation around it ("Hello," -> "Hello"), case kept;
    empty when nothing of it is said ("--", ">>")."""
    text = unicodedata.normalize("NFC", token).strip(_UNSPOKEN)
    if not any(ch.isalnum() or ch in _SPOKEN_SYMBOLS for ch in text):
        return ""
    return text


def dictionary_key(token: str) -> str:
    """The form a token is looked up under in CMUdict: its spoken form in lower case."""
    return spoken_form(token).lower()


def ipa_to_cmu(ipa: str) -> tuple[str, ...]:
    """CMU phones (no stress marks) for espeak-ng's IPA; unknown symbols are dropped."""
    phones: list[str] = []
    text = unicodedata.normalize("NFD", ipa)
    index = 0
    while index < len(text):
        char = text[index]
        if char == _SYLLABIC and phones:
            phones.insert(len(phones) - 1, "AH")
            index += 1
            continue
        if char in _IGNORED or char.isspace() or unicodedata.combining(char):
            index += 1
            continue
        for size in range(min(_LONGEST, len(text) - index), 0, -1):
            mapped = _IPA_TO_CMU.get(text[index : index + size])
            if mapped is not None:
                phones.extend(mapped)
                index += size
                break
        else:
            index += 1  # a symbol with no US English counterpart
    return tuple(phones)


@dataclass(frozen=True, slots=True)
class Pronunciation:
    """How one transcript token enters the grammar."""

    entry: str | None  # the dictionary word (None: covered by a filler, or not said)
    phones: tuple[str, ...] = ()  # phones to add to the dictionary (empty: already there)
    spoken: bool = True  # False: punctuation only, nothing in the audio

    @property
    def is_filler(self) -> bool:
        return self.spoken and self.entry is None


FILLER = Pronunciation(None)
UNSPOKEN = Pronunciation(None, spoken=False)


class Lexicon:
    """Pronunciations of transcript tokens: CMUdict first, then espeak-ng, then a filler.

    ``lookup(word)`` gives the recogniser's phones of a word (space-separated), or None when
    its dictionary lacks it.  Every token becomes one dictionary word (or the filler), so
    that each token has exactly one segment in the alignment.
    """

    def __init__(
        self,
        lookup: Callable[[str], str | None],
        voice: str = "en-us",
        espeak: str | None = None,
    ) -> None:
        self.lookup = lookup
        self.voice = voice
        self.espeak = espeak if espeak is not None else shutil.which("espeak-ng")
        self.known: dict[str, Pronunciation] = {}

    def pronounce(self, tokens: Iterable[str]) -> dict[str, Pronunciation]:
        """A pronunciation for every distinct spoken form of ``tokens`` (see
        :func:`spoken_form`; the map is cumulative over calls)."""
        missing: list[str] = []
        for token in tokens:
            form = spoken_form(token)
            if form in self.known or form in missing:
                continue
            key = form.lower()
            if not form:
                self.known[form] = UNSPOKEN
            elif self.lookup(key) is not None:
                self.known[form] = Pronunciation(key)
            elif (joined := self._from_parts(key)) is not None:
                self.known[form] = joined
            else:
                missing.append(form)  # case kept: espeak-ng spells out "GPT" but not "gpt"
        for form, phones in zip(missing, self._espeak_phones(missing)):
            self.known[form] = Pronunciation(_entry_name(form), phones) if phones else FILLER
        return self.known

    def of(self, token: str) -> Pronunciation:
        """The pronunciation of a token already passed to :meth:`pronounce`."""
        return self.known[spoken_form(token)]

    def _from_parts(self, key: str) -> Pronunciation | None:
        """ "self-driving", "and/or": the parts' phones, if the dictionary has every part."""
        parts = [p for p in re.split(r"[-/_.]+", key) if p]
        if len(parts) < 2:
            return None
        phones: list[str] = []
        for part in parts:
            known = self.lookup(part)
            if known is None:
                return None
            phones.extend(known.split())
        return Pronunciation(_entry_name(key), tuple(phones))

    def _espeak_phones(self, keys: list[str]) -> list[tuple[str, ...]]:
        if not keys or self.espeak is None:
            return [() for _ in keys]
        # One call for all of them: each line is its own clause ("-l": lines shorter than
        # this many characters end a clause), and espeak-ng writes one line of phonemes each.
        text = "\n".join(keys) + "\n"
        try:
            done = subprocess.run(
                [self.espeak, "-v", self.voice, "-q", "--ipa", "-l", "1000", "--stdin"],
                input=text,
                capture_output=True,
                text=True,
                check=True,
                timeout=60,
            )
        except (OSError, subprocess.SubprocessError):
            return [() for _ in keys]
        lines = [line for line in done.stdout.splitlines() if line.strip()]
        if len(lines) != len(keys):  # espeak-ng merged or split a clause: one at a time
            return [self._espeak_one(key) for key in keys]
        return [ipa_to_cmu(line) for line in lines]

    def _espeak_one(self, key: str) -> tuple[str, ...]:
        assert self.espeak is not None
        try:
            done = subprocess.run(
                [self.espeak, "-v", self.voice, "-q", "--ipa", "--", key],
                capture_output=True,
                text=True,
                check=True,
                timeout=10,
            )
        except (OSError, subprocess.SubprocessError):
            return ()
        return ipa_to_cmu(done.stdout)


def _entry_name(key: str) -> str:
    """A dictionary word for an added pronunciation (no spaces; never a CMUdict word)."""
    return "_" + re.sub(r"\s+", "_", key)


# The commonest words of English and of the languages most often mistaken for it in
# transcripts; a transcript is taken for English when its own words are mostly these.
_ENGLISH = set(
    "the and to of a in is that it you i we this for on with be are was have not but"
    " they so what do can just like at as or if my your there all about one know".split()
)
_OTHER = set(
    "le la les de des du et est un une que qui pas je vous il elle nous sur pour dans ce"
    " der die das und ist nicht ein eine ich sie mit den el los las y es en que por una"
    " lo no se con para il di che non per sono della".split()
)


def looks_english(tokens: Iterable[str]) -> bool:
    """Whether a transcript's words are English (by its commonest words)."""
    english = other = 0
    for token in tokens:
        key = dictionary_key(token)
        english += key in _ENGLISH
        other += key in _OTHER
    return english > 2 * other
