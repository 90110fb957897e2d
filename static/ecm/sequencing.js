// The sequencing hint, "the right thing at the right time": as soon as an intervention type or a stage
// is chosen, say whether it suits the child's TRM stage, before the form is sent. The rules come from
// the server (trm_stages/sequencing.py `hint_rules`, through json_script); the server judges them
// again on submit, so without JavaScript nothing is lost but the early warning.
const rulesElement = document.getElementById("sequencing-rules");
const hint = document.querySelector("[data-sequencing-hint]");

if (rulesElement && hint) {
  const rules = JSON.parse(rulesElement.textContent);
  const intervention = document.querySelector('select[name="intervention_type"]');
  const stages = Array.from(document.querySelectorAll('input[type="radio"][name="suits_from_stage"]'));

  const chosenStage = () => {
    if (intervention && intervention.value && rules.interventions[intervention.value] !== undefined) {
      return rules.interventions[intervention.value];
    }
    const checked = stages.find((stage) => stage.checked);
    return checked ? Number(checked.value) : null;
  };

  const showHint = () => {
    const stage = chosenStage();
    const warning = stage === null ? "" : rules.stages[String(stage)] || "";
    hint.replaceChildren();
    if (!warning) {
      return;
    }
    const box = document.createElement("div");
    box.className = "govuk-warning-text";
    const icon = document.createElement("span");
    icon.className = "govuk-warning-text__icon";
    icon.setAttribute("aria-hidden", "true");
    icon.textContent = "!";
    const text = document.createElement("strong");
    text.className = "govuk-warning-text__text";
    const label = document.createElement("span");
    label.className = "govuk-visually-hidden";
    label.textContent = "Warning";
    text.append(label, ` ${warning} ${rules.follow_up}`);
    box.append(icon, text);
    hint.append(box);
  };

  if (intervention) {
    intervention.addEventListener("change", showHint);
  }
  stages.forEach((stage) => stage.addEventListener("change", showHint));
}
