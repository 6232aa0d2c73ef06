"""English function words: the closed-class parts of speech of Universal Dependencies.

The UD guidelines (universaldependencies.org/u/pos) divide words into open classes (nouns, verbs,
adjectives, adverbs, proper nouns, interjections) and closed classes: adpositions (ADP), auxiliaries
(AUX), coordinating and subordinating conjunctions (CCONJ, SCONJ), determiners (DET), numerals
(NUM), particles (PART) and pronouns (PRON). These are the English members of the closed classes as English grammars
list them (with the contracted forms the tokeniser keeps whole, e.g. "don't"). Dictionaries translate
them badly out of context (a preposition has a dozen senses), so code-switching leaves them alone
unless asked to switch them.
"""

from __future__ import annotations


def _words(listed: str) -> frozenset[str]:
    return frozenset(listed.split())


ADPOSITIONS = _words(
    "aboard about above across after against along amid amidst among amongst around as at atop "
    "before behind below beneath beside besides between beyond but by concerning despite down during "
    "except for from in inside into like minus near of off on onto opposite out outside over past "
    "per plus regarding round since than through throughout till to toward towards under underneath "
    "unlike until unto up upon via with within without"
)
AUXILIARIES = _words(
    "be am is are was were been being have has had having do does did done doing will would shall "
    "should can could may might must ought "
    "i'm you're he's she's it's we're they're i've you've we've they've i'd you'd he'd she'd we'd "
    "they'd i'll you'll he'll she'll it'll we'll they'll that's there's here's what's who's "
    "isn't aren't wasn't weren't haven't hasn't hadn't don't doesn't didn't won't wouldn't shan't "
    "shouldn't can't cannot couldn't mayn't mightn't mustn't oughtn't ain't"
)
COORDINATING_CONJUNCTIONS = _words("and or but nor yet so either neither both plus")
SUBORDINATING_CONJUNCTIONS = _words(
    "although because before if lest once since than that though till unless until whereas whether "
    "while whilst when whenever where wherever whereby as"
)
DETERMINERS = _words(
    "a an the this that these those my your his her its our their whose which what whatever "
    "whichever all any both each either every few many much neither no none several some such "
    "another other enough half more most less least fewer"
)
NUMERALS = _words(
    "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen "
    "sixteen seventeen eighteen nineteen twenty thirty forty fifty sixty seventy eighty ninety hundred "
    "thousand million billion trillion dozen"
)
PARTICLES = frozenset({"not", "to"})
PRONOUNS = _words(
    "i me my mine myself you your yours yourself yourselves he him his himself she her hers herself "
    "it its itself we us our ours ourselves they them their theirs themselves one oneself who whom "
    "whose which what that this these those anybody anyone anything everybody everyone everything "
    "nobody nothing somebody someone something whoever whomever whatever there"
)

FUNCTION_WORDS = (
    ADPOSITIONS
    | AUXILIARIES
    | COORDINATING_CONJUNCTIONS
    | SUBORDINATING_CONJUNCTIONS
    | DETERMINERS
    | NUMERALS
    | PARTICLES
    | PRONOUNS
)
