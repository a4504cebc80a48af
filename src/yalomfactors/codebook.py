"""The coding standard: Yalom's therapeutic factors as this library codes them.

The order of :data:`FACTORS` is fixed: it is the column order of every label
matrix, probability array and tagged table. The first four are the core set.
Every saved model and tagged table records :data:`CODEBOOK_VERSION`.

Examples
--------
>>> from yalomfactors import codebook
>>> codebook.factor_ids()[:2]
('universality', 'hope')
>>> codebook.get_factor("hope").name
'Instillation of hope'
"""

from __future__ import annotations

from dataclasses import dataclass

from .exceptions import UnknownFactorError

__all__ = [
    "CODEBOOK_VERSION",
    "Factor",
    "FACTORS",
    "factor_ids",
    "core_factor_ids",
    "get_factor",
    "to_markdown",
    "GENERAL_RULES",
]

#: Bump when a definition changes in a way that would change a label.
CODEBOOK_VERSION = "1.0"


@dataclass(frozen=True)
class Factor:
    """One therapeutic factor of the codebook.

    Attributes
    ----------
    id : str
        Fixed label id, used as a column name.
    name : str
        Display name.
    short_name : str
        Short name for plot axes and legends.
    core : bool
        Whether it is one of the core four.
    definition : str
        What the factor is, in one or two sentences.
    code_when : str
        What a reflection must show for the factor to be coded.
    do_not_code : str
        Near misses that are not this factor.
    examples : tuple of str
        Reflections, written for the project, that carry this factor.
    """

    id: str
    name: str
    short_name: str
    core: bool
    definition: str
    code_when: str
    do_not_code: str
    examples: tuple[str, ...]


GENERAL_RULES: tuple[str, ...] = (
    "Multi-label: code every factor clearly present; code none when none is present.",
    "Code the writer's own experience, not what they say about someone else.",
    "Absence is not presence: negated, missing or wished-for factors are not coded.",
    "Sarcasm and resistance that reject a factor are not coded.",
    "Evidence over topic: code the experience, not the word.",
    "Clearly present means a second trained coder would agree without guessing.",
)

FACTORS: tuple[Factor, ...] = (
    Factor(
        id="universality",
        name="Universality",
        short_name="Universality",
        core=True,
        definition=(
            "Finding that other members share one's problems, feelings, thoughts or history, "
            "and feeling less alone or less abnormal for it."
        ),
        code_when=(
            "The writer discovers a shared experience with others in the group and it lessens "
            "their sense of isolation or of being abnormal."
        ),
        do_not_code=(
            "Belonging or warmth without a shared experience named (group cohesiveness); "
            "saying nobody understands; noting that someone else felt understood."
        ),
        examples=(
            "When P4 described lying awake replaying the last phone call, I nearly fell off my "
            "chair. I thought I was the only one who did that.",
            "turns out half the room has panic attacks in grocery stores too. weirdly comforting",
        ),
    ),
    Factor(
        id="hope",
        name="Instillation of hope",
        short_name="Hope",
        core=True,
        definition=(
            "Coming to believe that change or recovery is possible for oneself, from seeing others "
            "improve, from the group's stories of success, or from noticing one's own progress."
        ),
        code_when="The writer expresses belief that things can get better for them.",
        do_not_code=(
            "Generic good mood, gratitude or liking the session; hope as a topic; hope for "
            "something unrelated ('I hope the bus is on time'); wishing one could feel hopeful."
        ),
        examples=(
            "[NAME] is eighteen months clean and she was worse off than me when she started. "
            "Maybe I'm not a lost cause.",
            "First week I didn't cry in the car afterwards. Small, but it tells me this is moving.",
        ),
    ),
    Factor(
        id="interpersonal_learning",
        name="Interpersonal learning",
        short_name="Interpersonal learning",
        core=True,
        definition=(
            "Learning how one comes across to or affects others through their feedback (input), "
            "or practising a new way of relating inside the group (output): asking for help, "
            "setting a limit, disagreeing, showing feelings directly."
        ),
        code_when=(
            "The writer reports what they learned about their impact on others, or reports trying "
            "a new way of relating to members in the session."
        ),
        do_not_code=(
            "Facts or advice received (imparting information); basic conversation skills "
            "(socializing techniques)."
        ),
        examples=(
            "Two people said I go quiet and smile when I'm angry and it makes me hard to read. "
            "Nobody has ever told me that.",
            "I asked the group for help with the court date instead of saying I'm fine. First time.",
        ),
    ),
    Factor(
        id="corrective_emotional_experience",
        name="Corrective emotional experience",
        short_name="Corrective experience",
        core=True,
        definition=(
            "Taking an emotional risk toward others in the group (anger, need, shame, "
            "vulnerability) and receiving a different, safer response than the one feared or "
            "learned to expect, which changes something about an old relational hurt."
        ),
        code_when=(
            "The writer took a risk in the group, expected rejection or punishment, and was met "
            "with something safer."
        ),
        do_not_code=(
            "Release of feeling without the corrective response (catharsis); general acceptance "
            "without a risk taken (group cohesiveness)."
        ),
        examples=(
            "I snapped at the facilitator and waited to be thrown out like at every job I've had. "
            "She thanked me for saying it and asked what was underneath.",
            "Told them about the relapse. Was braced for the looks. Nobody looked away.",
        ),
    ),
    Factor(
        id="altruism",
        name="Altruism",
        short_name="Altruism",
        core=False,
        definition="Feeling useful or valued through helping, supporting or giving to another member.",
        code_when="The writer helped someone in the group and it meant something to them.",
        do_not_code="Receiving help; helping someone outside the group without a group link.",
        examples=(
            "P2 said what I told her last week got her through the weekend. I didn't know I had "
            "anything to give anyone.",
            "felt good to be the one passing the tissues for once",
        ),
    ),
    Factor(
        id="imparting_information",
        name="Imparting information",
        short_name="Information",
        core=False,
        definition=(
            "Learning facts, explanations or coping skills, or receiving advice or guidance, from "
            "the facilitator or members."
        ),
        code_when="The writer reports a fact, skill, explanation or piece of advice they took away.",
        do_not_code="Learning about one's own impact on others (interpersonal learning).",
        examples=(
            "The handout on how grief comes in waves explained a lot. I thought I was going backwards.",
            "someone told me about the pharmacy that does blister packs, game changer",
        ),
    ),
    Factor(
        id="group_cohesiveness",
        name="Group cohesiveness",
        short_name="Cohesiveness",
        core=False,
        definition="Feeling belonging, acceptance, trust or warmth in the group; the group feels safe.",
        code_when="The writer feels part of the group, accepted by it, or safe in it.",
        do_not_code="Wishing to belong; saying the group is cold or unsafe.",
        examples=(
            "It's starting to feel like our group, not a room full of strangers.",
            "I trust these people. Didn't expect to say that in week three.",
        ),
    ),
    Factor(
        id="catharsis",
        name="Catharsis",
        short_name="Catharsis",
        core=False,
        definition="Expressing strong feelings or saying something long held in, and feeling relief.",
        code_when="The writer let out something held in and felt relief or lightness from it.",
        do_not_code="Strong feelings without release or relief; others' release.",
        examples=(
            "I finally said out loud how angry I am at him for dying. I feel lighter.",
            "cried the whole hour. needed that",
        ),
    ),
    Factor(
        id="existential_factors",
        name="Existential factors",
        short_name="Existential",
        core=False,
        definition=(
            "Facing basic facts of existence: responsibility for one's own life and choices, "
            "mortality, the unfairness of life, ultimate aloneness, meaning."
        ),
        code_when="The writer reflects on responsibility, death, unfairness, aloneness or meaning.",
        do_not_code="Everyday complaints that life is busy or annoying.",
        examples=(
            "Nobody is coming to fix my life. It's on me. Strangely that feels like freedom.",
            "The diagnosis made me ask what I want the time I have left to be about.",
        ),
    ),
    Factor(
        id="family_reenactment",
        name="Corrective recapitulation of the primary family group",
        short_name="Family re-enactment",
        core=False,
        definition=(
            "Recognising or re-living family-of-origin patterns in the group (members as siblings, "
            "the facilitator as a parent) and seeing or handling them differently."
        ),
        code_when="The writer links a pattern in the group to their family of origin.",
        do_not_code="Talking about family as a topic without linking it to what happens in the group.",
        examples=(
            "When [NAME] and [MEMBER] argued I went straight into peacemaker mode, exactly like "
            "with my parents. Today I let them sort it out.",
            "I keep wanting the facilitator to tell me I did well. Same as with my father.",
        ),
    ),
    Factor(
        id="socializing_techniques",
        name="Development of socializing techniques",
        short_name="Social skills",
        core=False,
        definition=(
            "Improving basic social skills: listening, starting conversations, reading social "
            "cues, speaking up appropriately."
        ),
        code_when="The writer practised or improved a basic social skill.",
        do_not_code="Learning about one's interpersonal impact or relating in a new way (interpersonal learning).",
        examples=(
            "I practised keeping eye contact while someone else talked. Harder than it sounds.",
            "Started a conversation with the guy next to me at break. I never do that.",
        ),
    ),
    Factor(
        id="imitative_behavior",
        name="Imitative behaviour",
        short_name="Imitation",
        core=False,
        definition="Modelling oneself on another member or the facilitator.",
        code_when="The writer wants to copy, or has copied, how someone in the group handles things.",
        do_not_code="Admiring someone without wanting to act like them.",
        examples=(
            "The way P5 says 'I need a minute' and just takes it. I'm going to try that at home.",
            "I used the facilitator's line with my boss this week and it worked.",
        ),
    ),
)

_BY_ID = {factor.id: factor for factor in FACTORS}


def factor_ids() -> tuple[str, ...]:
    """Return every factor id in codebook order.

    Returns
    -------
    tuple of str
        Twelve ids, the core four first.
    """
    return tuple(factor.id for factor in FACTORS)


def core_factor_ids() -> tuple[str, ...]:
    """Return the ids of the core four factors, in codebook order."""
    return tuple(factor.id for factor in FACTORS if factor.core)


def get_factor(factor_id: str) -> Factor:
    """Look up a factor by id.

    Raises
    ------
    UnknownFactorError
        If ``factor_id`` is not in the codebook; the message lists the valid ids.
    """
    try:
        return _BY_ID[factor_id]
    except (KeyError, TypeError):
        raise UnknownFactorError(
            f"unknown factor id {factor_id!r}; expected one of: {', '.join(_BY_ID)}"
        ) from None


def to_markdown(include_examples: bool = True) -> str:
    """Export the codebook as Markdown, for supervision notes and methods sections.

    Parameters
    ----------
    include_examples : bool, default True
        Whether to list each factor's example reflections.

    Returns
    -------
    str
        A Markdown document stating the codebook version, the general rules and every factor.
    """
    lines = [
        f"# Yalom therapeutic factors codebook (version {CODEBOOK_VERSION})",
        "",
        "Unit of coding: one post-session reflection written by one group member.",
        "",
        "## General rules",
        "",
    ]
    lines += [f"{number}. {rule}" for number, rule in enumerate(GENERAL_RULES, start=1)]
    for heading, core in (("Core factors", True), ("Other factors", False)):
        lines += ["", f"## {heading}", ""]
        for factor in FACTORS:
            if factor.core != core:
                continue
            lines += [
                f"### {factor.name} (`{factor.id}`)",
                "",
                factor.definition,
                "",
                f"- **Code when:** {factor.code_when}",
                f"- **Do not code:** {factor.do_not_code}",
            ]
            if include_examples:
                lines.append("- **Examples:**")
                lines += [f"  - \"{example}\"" for example in factor.examples]
            lines.append("")
    return "\n".join(lines).rstrip() + "\n"
