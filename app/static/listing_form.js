// Add and remove table rows in place; without JavaScript the same buttons ask the server to do it.
document.addEventListener('click', function (event) {
  var add = event.target.closest('[data-add-row]');
  var remove = event.target.closest('.remove-row');
  if (add) {
    event.preventDefault();
    var name = add.getAttribute('data-add-row');
    var template = document.querySelector('template[data-row-template="' + name + '"]');
    var body = document.querySelector('table[data-rows="' + name + '"] tbody');
    body.appendChild(template.content.cloneNode(true));
    body.lastElementChild.querySelector('input, select').focus();
  } else if (remove) {
    event.preventDefault();
    var row = remove.closest('tr');
    var next = row.nextElementSibling;
    if (next && next.classList.contains('row-errors')) { next.remove(); }
    row.remove();
  }
});
