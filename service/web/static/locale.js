// The viewer's locale and zone, which only the browser knows: amounts the server wrote as
// <data class="money" value="cents" data-currency="USD"> are written again in the browser's
// language, and a form's field marked data-browser-zone takes the browser's IANA time zone.
(function () {
  "use strict";
  document.querySelectorAll("data.money[data-currency]").forEach(function (amount) {
    var cents = Number(amount.value);
    if (!Number.isSafeInteger(cents)) return;
    try {
      var format = new Intl.NumberFormat(navigator.language, {style: "currency", currency: amount.getAttribute("data-currency")});
      amount.textContent = format.format(cents / 100);
    } catch (unknown) {
      // a currency or language the browser does not know: the server's text stays
    }
  });
  var zone = window.Intl && Intl.DateTimeFormat().resolvedOptions().timeZone;
  if (zone) {
    document.querySelectorAll("input[data-browser-zone]").forEach(function (field) { field.value = zone; });
  }
})();
