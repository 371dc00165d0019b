// Enter applies a value typed into a slider's box (issue 17).
// Dash 4's slider commits its box's value on blur only (updatemode "mouseup"), so Enter
// did nothing and the figure stayed stale until focus left the box. Here Enter leaves the
// box (the slider commits the value, the run updates) and returns to it, so a keyboard
// user can type the next value.
document.addEventListener("keydown", function (event) {
  var box = event.target;
  if (event.key !== "Enter" || !box || !box.classList ||
      !box.classList.contains("dash-range-slider-input")) {
    return;
  }
  event.preventDefault();
  box.blur();
  window.setTimeout(function () { box.focus(); }, 0);
});
