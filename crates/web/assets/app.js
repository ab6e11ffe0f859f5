// Gongshu console: the only script; every page works without it.
// Asks for confirmation before destructive steps (forms, or the submit button pressed, marked
// data-confirm: a form with a harmless and a weighty button confirms only the latter).
document.addEventListener("submit", function (event) {
  var form = event.target;
  var button = event.submitter;
  var question = (button && button.getAttribute("data-confirm")) ||
    (form.getAttribute && form.getAttribute("data-confirm"));
  if (question && !window.confirm(question)) {
    event.preventDefault();
  }
});

// "添加一行": a button marked data-add-row="NAME" copies the last row of the table body marked
// data-rows="NAME" with empty inputs and the next row number in the field names
// (items[9].code → items[10].code). The page already offers empty rows without it.
document.addEventListener("DOMContentLoaded", function () {
  var buttons = document.querySelectorAll("button[data-add-row]");
  Array.prototype.forEach.call(buttons, function (button) {
    var name = button.getAttribute("data-add-row");
    var body = document.querySelector('tbody[data-rows="' + name + '"]');
    if (!body || !body.rows.length) {
      return;
    }
    button.hidden = false;
    button.addEventListener("click", function () {
      var index = body.rows.length;
      var row = body.rows[body.rows.length - 1].cloneNode(true);
      var pattern = new RegExp("^" + name + "\\[\\d+\\]");
      Array.prototype.forEach.call(row.querySelectorAll("[name]"), function (field) {
        field.name = field.name.replace(pattern, name + "[" + index + "]");
        if (field.type === "checkbox") {
          field.checked = false;
        } else if (field.tagName === "SELECT") {
          field.value = field.getAttribute("data-default") || "";
        } else {
          field.value = "";
        }
      });
      Array.prototype.forEach.call(row.querySelectorAll(".field-error"), function (e) {
        e.parentNode.removeChild(e);
      });
      var number = row.querySelector("td.hint");
      if (number) {
        number.textContent = String(index + 1);
      }
      body.appendChild(row);
    });
  });
});
