"""Danish idea texts as citizens and staff write them, with a wide vocabulary and near-duplicates.

Words are drawn with Zipf-like frequencies from a few hundred nouns (and the tens of thousands of
compounds they make: "skole" + "vej" = "skolevej"), verbs, adjectives and place names, inflected
as Danish inflects them. Every ``DUPLICATE_EVERY``-th text rewrites an earlier one a little
(another case, a word dropped or added, another inflection, a typo), the near-duplicates a
manager wants pointed out.
"""

from __future__ import annotations

import itertools
import random
from collections.abc import Sequence

DUPLICATE_EVERY = 20

NOUNS = """
skole vej cykel sti bus forbindelse borger forening kommune ungdom idræt hal bibliotek park
legeplads bænk lys trafik fortov parkering plads by land landsby natur sø skov strand havn bro
station tog rute bilist fodgænger barn forælder ældre pensionist frivillig medarbejder
virksomhed erhverv butik marked café kultur musik teater kunst fest dag uge aften morgen
weekend sommer vinter møde netværk fællesskab samarbejde projekt plan strategi budget tilskud
pulje penge ansøgning hjemmeside information kampagne kursus uddannelse job praktik lærling
sundhed trivsel motion mad kantine affald genbrug energi sol vind varme klima vand regn kloak
område bolig lejlighed hus have tag mur skilt tavle hastighed bump kryds rundkørsel overgang
belysning lampe toilet hund skraldespand bord scene sal lokale center klub spejder fodbold
håndbold svømning løb tur mark eng bakke dal kirke gård mølle værksted atelier køkken
sprog lektie læsning bog avis radio film foto podcast spil computer telefon netværk alarm
beredskab brand politi læge tandlæge sygehus apotek hjemmepleje plejehjem dagpleje
børnehave vuggestue fritid ungdomsklub efterskole gymnasium seminarium professionshøjskole
""".split()
VERBS = """
etabler lav opret byg udvid forbedr styrk sikr flyt åbn renover mal plant arranger inviter
tilbyd støt hjælp del brug find skab undersøg afprøv opskaler prioriter kortlæg saml
udvikl fremme synliggør genåbn nedsæt sænk hæv tilpas digitaliser koordiner
""".split()
ADJECTIVES = """
sikker bedre flere ny gammel lokal fælles grøn billig gratis åben lang kort stor lille mørk
tryg hurtig langsom bred smal ren varm aktiv digital frivillig ugentlig månedlig offentlig
bæredygtig tilgængelig attraktiv sund levende moderne enkel fleksibel
""".split()
PLACES = """
Randers Langå Spentrup Assentoft Havndal Dronningborg Vorup Kristrup Gjerlev Harridslev
Mellerup Fårup Sødring Uggelhuse Romalt Øster-Bjerregrav Hornbæk Stevnstrup Værum Ålum
Bjerregrav Gassum Asferg Øster-Tørslev Mørke Ørum Åstrup Tånum
""".split()
SUFFIXES = ("vej", "gade", "stien", "parken", "torvet", "pladsen", "bakken", "engen")
ENDINGS = ("", "", "", "en", "et", "er", "e", "erne", "ene", "s")
FILLERS = """
og i at det en den til er som på med af for ikke der men et har om vi kan skal også så
mere meget mange alle nogle hele gerne bare
""".split()
TAILS = (
    "Kommunen og {a} kan dele udgiften.",
    "{A} vil gerne hjælpe med at {v} {n}.",
    "Det vil give {adj} {n} for {a}.",
    "Forslaget kom fra {a} i {p}.",
    "Start med et forsøg i {p} og se om {n} bliver {adj}.",
    "Husk at inddrage {a} og {b} fra starten.",
)


def _zipf(rng: random.Random, words: Sequence[str]) -> str:
    # The word of rank r drawn with weight 1 / r: a few words are very common, most are rare.
    weights = _WEIGHTS.get(len(words))
    if weights is None:
        weights = _WEIGHTS[len(words)] = list(
            itertools.accumulate(1 / r for r in range(1, len(words) + 1))
        )
    return rng.choices(words, cum_weights=weights)[0]


_WEIGHTS: dict[int, list[float]] = {}


def _noun(rng: random.Random, nouns: Sequence[str]) -> str:
    word = _zipf(rng, nouns)
    if rng.random() < 0.45:  # a compound: skolevej, cykelsti, borgerforening
        word = rng.choice(nouns) + word
    return word + rng.choice(ENDINGS)


def _place(rng: random.Random, nouns: Sequence[str]) -> str:
    if rng.random() < 0.5:
        return _zipf(rng, PLACES)
    return (_zipf(rng, nouns) + rng.choice(SUFFIXES)).capitalize()


def _fresh(rng: random.Random, nouns: Sequence[str]) -> str:
    words = [rng.choice(VERBS).capitalize()]
    for _ in range(rng.randint(1, 4)):
        if rng.random() < 0.4:
            words.append(_zipf(rng, ADJECTIVES))
        words.append(_noun(rng, nouns))
        if rng.random() < 0.5:
            words.append(_zipf(rng, FILLERS))
    if rng.random() < 0.6:
        words += [rng.choice(("ved", "langs", "i", "omkring", "nær")), _place(rng, nouns)]
    text = " ".join(words) + "."
    for _ in range(rng.choice((0, 0, 1, 1, 2))):
        text += " " + rng.choice(TAILS).format(
            a=_noun(rng, nouns),
            A=_noun(rng, nouns).capitalize(),
            b=_noun(rng, nouns),
            v=rng.choice(VERBS),
            n=_noun(rng, nouns),
            adj=_zipf(rng, ADJECTIVES),
            p=_place(rng, nouns),
        )
    return text


def near_duplicate(rng: random.Random, text: str) -> str:
    """``text`` rewritten a little, the way the same idea comes back from another table."""
    words = text.split()
    edit = rng.randrange(5)
    if edit == 0:
        return text.upper() if rng.random() < 0.5 else text.lower()
    if edit == 1 and len(words) > 4:
        del words[rng.randrange(1, len(words))]
    elif edit == 2:
        words.insert(rng.randrange(len(words) + 1), rng.choice(FILLERS + ADJECTIVES))
    elif edit == 3:
        at = rng.randrange(len(words))
        words[at] = words[at].rstrip(".") + rng.choice(("e", "er", "en"))
    else:
        at = rng.randrange(len(words))
        word = words[at]
        if len(word) > 3:
            cut = rng.randrange(1, len(word) - 1)
            words[at] = word[:cut] + word[cut + 1] + word[cut] + word[cut + 2 :]
    return " ".join(words)


def idea_texts(count: int, seed: int = 1) -> list[str]:
    """``count`` idea texts; every ``DUPLICATE_EVERY``-th one resembles an earlier one."""
    return idea_corpus(count, seed)[0]


def idea_corpus(count: int, seed: int = 1) -> tuple[list[str], dict[int, int]]:
    """``idea_texts`` and which earlier text (by index) each near-duplicate rewrites."""
    rng = random.Random(seed)
    nouns = list(NOUNS)
    rng.shuffle(nouns)  # another seed, other common words
    texts: list[str] = []
    rewrites: dict[int, int] = {}
    for number in range(count):
        if texts and number % DUPLICATE_EVERY == DUPLICATE_EVERY - 1:
            rewrites[number] = rng.randrange(number)
            texts.append(near_duplicate(rng, texts[rewrites[number]]))
        else:
            texts.append(_fresh(rng, nouns))
    return texts, rewrites


def minutes(texts: Sequence[str], title: str = "Referat af borgermøde") -> bytes:
    """Minutes (plain text) listing ``texts`` as bullets under one heading of ideas."""
    lines = itertools.chain([title, "", "Idéer og forslag fra bordene"], (f"• {t}" for t in texts))
    return ("\n".join(lines) + "\n").encode()
