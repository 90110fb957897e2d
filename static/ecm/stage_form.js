// Recording a TRM stage: show only the chosen stage's indicators (all show without JavaScript).
// Ticked indicators of other stages stay visible, so nothing chosen is hidden from the person.
const choices = document.querySelectorAll("[data-stage-choice]");
const groups = document.querySelectorAll("[data-indicators-for]");

function showTheChosenStage() {
  const chosen = Array.from(choices).find((choice) => choice.checked);
  groups.forEach((group) => {
    const ticked = group.querySelector("input:checked") !== null;
    group.hidden = Boolean(chosen) && group.dataset.indicatorsFor !== chosen.value && !ticked;
  });
}

choices.forEach((choice) => choice.addEventListener("change", showTheChosenStage));
showTheChosenStage();
