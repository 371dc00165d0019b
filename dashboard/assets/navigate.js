// Landing and skipping on the couple page (issue 17).
//
// landAtTop: a page that was hidden and is shown again starts at its top. "Open replicate"
// sits far down the sweep page; the couple page it opens kept that scroll position and
// landed mid-page. Registered as a clientside callback on the couple page's style (the hub
// writes it on every change of the view; only hidden -> shown scrolls).
//
// Skip link: "Skip to the run controls" is the couple page's first Tab stop; following it
// moves the focus to Play (a plain "#play" link would scroll there but leave the focus
// behind in some browsers).
window.dash_clientside = Object.assign({}, window.dash_clientside, {
  dyadsim: Object.assign({}, (window.dash_clientside || {}).dyadsim, {
    landAtTop: function (style) {
      var shown = !style || style.display !== "none";
      var was = window.dyadsimCoupleShown;
      window.dyadsimCoupleShown = shown;
      if (shown && was === false) {
        window.scrollTo(0, 0);
      }
      return window.dash_clientside.no_update;
    },
  }),
});

document.addEventListener("click", function (event) {
  var link = event.target && event.target.closest ? event.target.closest("a.skip-link") : null;
  if (!link) {
    return;
  }
  var target = document.getElementById((link.getAttribute("href") || "").slice(1));
  if (!target) {
    return;
  }
  event.preventDefault();
  target.focus();
  target.scrollIntoView({block: "center"});
});
