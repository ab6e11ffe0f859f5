// Gongshu console: the only script. Asks for confirmation before destructive steps
// (forms marked data-confirm); every page works without it.
document.addEventListener("submit", function (event) {
  var form = event.target;
  var question = form.getAttribute && form.getAttribute("data-confirm");
  if (question && !window.confirm(question)) {
    event.preventDefault();
  }
});
