/* PartnerRisk web form: shows and hides conditional questions as the partner answers.
   Optional: without JavaScript every question is shown with its "answer only if" note and the
   server applies the same conditions when the form is saved or submitted. No network use. */
(function () {
  'use strict';
  var form = document.querySelector('form');
  if (!form) { return; }
  var blocks = Array.prototype.slice.call(document.querySelectorAll('.q[data-qid]'));

  /* The current answer of one question, in the answer-file shape (string, number or list). */
  function valueOf(block) {
    var id = block.getAttribute('data-qid');
    var inputs = Array.prototype.slice.call(form.querySelectorAll('[name="q.' + id + '"]'));
    if (inputs.length === 0) { return null; }
    if (inputs[0].type === 'checkbox') {
      var list = inputs.filter(function (i) { return i.checked; }).map(function (i) { return i.value; });
      return list.length ? list : null;
    }
    if (inputs[0].type === 'radio') {
      var chosen = inputs.filter(function (i) { return i.checked; })[0];
      return chosen ? chosen.value : null;
    }
    var text = inputs[0].value.trim();
    if (text === '') { return null; }
    if (inputs[0].getAttribute('inputmode') === 'decimal') {
      var n = Number(text.replace(/\s/g, '').replace(',', '.'));
      return isNaN(n) ? text : n;
    }
    return text;
  }

  function matches(value, literal) {
    if (typeof value === 'number') { return Number(literal) === value; }
    return value === literal;
  }

  function holds(c, answers) {
    if (c.and) { return c.and.every(function (p) { return holds(p, answers); }); }
    if (c.or) { return c.or.some(function (p) { return holds(p, answers); }); }
    if (c.not) { return !holds(c.not, answers); }
    var v = Object.prototype.hasOwnProperty.call(answers, c.question) ? answers[c.question] : null;
    if ('answered' in c) { return (v !== null) === c.answered; }
    if (v === null) { return false; }
    if ('equals' in c) { return matches(v, c.equals); }
    if ('not_equals' in c) { return !matches(v, c.not_equals); }
    if ('in' in c) { return c['in'].some(function (l) { return matches(v, l); }); }
    if ('includes' in c) {
      return Array.isArray(v) ? v.some(function (x) { return matches(x, c.includes); }) : matches(v, c.includes);
    }
    if (typeof v !== 'number') { return false; }
    if ('gt' in c) { return v > c.gt; }
    if ('gte' in c) { return v >= c.gte; }
    if ('lt' in c) { return v < c.lt; }
    if ('lte' in c) { return v <= c.lte; }
    return true;
  }

  /* Walks the questions in order: a hidden question counts as unanswered for later ones. */
  function refresh() {
    var answers = {};
    blocks.forEach(function (block) {
      var rule = block.getAttribute('data-show-if');
      var visible = !rule || holds(JSON.parse(rule), answers);
      block.hidden = !visible;
      if (visible) {
        var v = valueOf(block);
        if (v !== null) { answers[block.getAttribute('data-qid')] = v; }
      }
    });
    document.querySelectorAll('.condition').forEach(function (note) { note.hidden = true; });
  }

  form.addEventListener('change', refresh);
  form.addEventListener('input', refresh);
  refresh();
}());
