"""Input for the TRM pages: the stage assessment and the reference data (stages.py); THRIVE and goals (outcomes.py)."""

from trm_stages.forms.outcomes import GoalCloseForm, GoalForm, GoalRatingForm, ThriveGroupingForm
from trm_stages.forms.stages import StageAssessmentForm

__all__ = ["GoalCloseForm", "GoalForm", "GoalRatingForm", "StageAssessmentForm", "ThriveGroupingForm"]
