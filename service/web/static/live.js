// Live updates of a workroom page from the viewer's events feed (GET /live, a long poll on the
// session cookie). Messages: the new messages, rendered and escaped by the server, are added to
// the thread. Other tabs: a polite notice offers to show what changed. Polls only while the page
// is visible; after an error it waits longer each time.
(function () {
  "use strict";
  var root = document.querySelector("[data-live-contract]");
  if (!root || !window.fetch || !window.AbortController) return;
  var contract = root.getAttribute("data-live-contract");
  var viewer = root.getAttribute("data-live-viewer");
  var notice = root.querySelector(".live-notice");
  var thread = document.querySelector("ol.thread[data-after]");
  var WAIT_SECONDS = 25, FIRST_RETRY = 1000, LAST_RETRY = 60000;
  var cursor = null, retry = 0, timer = null, controller = null;

  function get(url, signal) {
    return fetch(url, {credentials: "same-origin", redirect: "manual", signal: signal}).then(function (answer) {
      if (!answer.ok) throw new Error("live: " + answer.status);
      return answer;
    });
  }

  function say(text, action) {
    notice.textContent = text + " ";
    if (action) {
      var button = document.createElement("button");
      button.type = "button";
      button.textContent = action;
      button.addEventListener("click", function () { window.location.reload(); });
      notice.appendChild(button);
    }
  }

  function addMessages() {
    var after = thread.getAttribute("data-after");
    return get("/contracts/" + contract + "/messages/after/" + after).then(function (answer) {
      return answer.text();
    }).then(function (html) {
      var items = new DOMParser().parseFromString("<ol>" + html + "</ol>", "text/html").querySelectorAll("ol > li");
      if (!items.length) return;
      var empty = thread.querySelector("li.empty");
      if (empty) empty.remove();
      items.forEach(function (item) {
        if (!document.getElementById(item.id)) thread.appendChild(document.adoptNode(item));
      });
      thread.setAttribute("data-after", items[items.length - 1].getAttribute("data-number"));
      say(items.length === 1 ? "1 new message." : items.length + " new messages.");
    });
  }

  function show(news) {
    if (thread) return addMessages();
    var others = news.filter(function (event) { return event.actor_id !== viewer; });
    if (others.length) say(others[others.length - 1].data.line || "New activity on this contract.", "Show");
  }

  function poll() {
    timer = null;
    controller = new AbortController();
    var url = "/live" + (cursor === null ? "" : "?after=" + cursor + "&wait=" + WAIT_SECONDS);
    var first = cursor === null;
    get(url, controller.signal).then(function (answer) {
      return answer.json();
    }).then(function (feed) {
      cursor = feed.cursor;
      retry = 0;
      var news = feed.events.filter(function (event) { return event.contract_id === contract; });
      // The first answer only sets the cursor: a message posted since the page was made is fetched.
      if (news.length || (first && thread)) return show(news);
    }).then(function () { later(0); }, function (error) {
      if (error.name === "AbortError") return;
      retry = Math.min(retry ? retry * 2 : FIRST_RETRY, LAST_RETRY);
      later(retry);
    });
  }

  function later(delay) {
    if (document.hidden || timer !== null) return;
    timer = window.setTimeout(poll, delay);
  }

  document.addEventListener("visibilitychange", function () {
    if (document.hidden) {
      if (timer !== null) window.clearTimeout(timer);
      timer = null;
      if (controller) controller.abort();
    } else {
      later(0);
    }
  });
  later(0);
})();
