"""Version 1 of the Trauma Recovery Model reference data (model by Tricia Skuse and Jonny Matthew, 2018).

The descriptions are ECM's own summaries; administrators publish later versions rather than
editing these rows, so assessments made against version 1 keep their meaning.
"""

from django.db import migrations

STAGES = [
    (
        1,
        "Instability and inconsistency",
        "Structure and routine in everyday life.",
        "Life feels chaotic and unsafe; the child's energy goes on getting through each day, "
        "so predictable adults and a steady routine come before anything else.",
        [
            "Chaotic or unstable home or placement",
            "Frequent missing episodes",
            "Misses most appointments",
            "Hypervigilant or easily startled",
            "Basic needs not reliably met",
        ],
    ),
    (
        2,
        "Trust and relationship building",
        "Trusting relationships with one or two safe adults.",
        "With some stability in place, the child can begin to test whether an adult is reliable; "
        "time one-to-one and repair after ruptures build trust.",
        [
            "Tests adults' reliability",
            "Attends when routines are kept",
            "Beginning to seek out one adult",
            "Quick to withdraw after a let-down",
        ],
    ),
    (
        3,
        "Working through trauma",
        "To make sense of what happened and grieve what was lost.",
        "Once an adult is trusted, the child may begin to talk about what happened to them; behaviour "
        "can get worse for a while as painful experiences surface.",
        [
            "Has started to talk about past experiences",
            "Strong feelings after disclosure",
            "Needs help to calm down (co-regulation)",
            "Grief or loss is visible",
        ],
    ),
    (
        4,
        "Insight and awareness",
        "To join up the old and new sense of self and plan with confidence.",
        "The child can now think about their own thinking and behaviour, so cognitive and "
        "reflective work becomes possible.",
        [
            "Can reflect on their behaviour",
            "Links feelings to actions",
            "Can think about other people's views",
            "Uses strategies with prompting",
        ],
    ),
    (
        5,
        "Future planning",
        "Adult-guided planning, purpose and achievement.",
        "With insight in place, the child can look forward: goals, education or training and "
        "structured use of free time, guided by adults.",
        ["Talks about the future", "Engages with education or training", "Sets and works towards goals"],
    ),
    (
        6,
        "Moving on",
        "Independence within a supported context.",
        "The child is ready to manage with less support; a safety net stays in place after the intervention ends.",
        ["Manages setbacks with little help", "Keeps commitments independently", "Asks for help when needed"],
    ),
]

THRESHOLDS = [
    (
        1,
        "Readiness to build relationships with adults",
        "Enough stability that the child can begin to let a safe adult in.",
    ),
    (2, "Disclosure", "The child begins to share what has happened to them with a trusted adult."),
    (3, "Cognitive readiness", "The child is able to reflect on thoughts, feelings and behaviour."),
]

INTERVENTIONS = [
    ("Consistent routine (meals, appointment times)", 1),
    ("Clear, predictable boundaries", 1),
    ("Reliable adults who do what they say", 1),
    ("Maximum one-to-one time with a key adult", 2),
    ("PACE (playfulness, acceptance, curiosity, empathy)", 2),
    ("Interactive repair after ruptures", 2),
    ("Stories and shared activities", 2),
    ("A trusted adult listener", 3),
    ("Containment and co-regulation", 3),
    ("Bereavement and loss work", 3),
    ("Specialist trauma therapy", 3),
    ("Cognitive behavioural therapy (CBT)", 4),
    ("Anger management", 4),
    ("Chain analysis of offending", 4),
    ("Victim empathy work", 4),
    ("Good Lives model", 4),
    ("Restorative practice", 4),
    ("Guided goal-setting", 5),
    ("Education, training or employment support", 5),
    ("Structured free time", 5),
    ("Motivational interviewing", 5),
    ("Safety net: phone or text access after the intervention ends", 6),
    ("Occasional contact in good times and bad", 6),
]


def load(apps, schema_editor):
    TrmVersion = apps.get_model("trm_stages", "TrmVersion")
    Stage = apps.get_model("trm_stages", "Stage")
    Threshold = apps.get_model("trm_stages", "Threshold")
    InterventionType = apps.get_model("trm_stages", "InterventionType")
    version, _ = TrmVersion.objects.get_or_create(
        number=1, defaults={"note": "Trauma Recovery Model (Skuse and Matthew, 2018), as summarised by ECM"}
    )
    for number, name, needs, description, indicators in STAGES:
        Stage.objects.get_or_create(
            version=version,
            number=number,
            defaults={"name": name, "needs": needs, "description": description, "indicators": indicators},
        )
    for below_stage, name, description in THRESHOLDS:
        Threshold.objects.get_or_create(
            version=version, below_stage=below_stage, defaults={"name": name, "description": description}
        )
    for name, lowest_stage in INTERVENTIONS:
        InterventionType.objects.get_or_create(version=version, name=name, defaults={"lowest_stage": lowest_stage})


class Migration(migrations.Migration):
    dependencies = [("trm_stages", "0001_initial")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
