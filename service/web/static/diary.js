// The Work Diary's keyboard: the day's blocks are one stop of the Tab order, and the arrows move
// between them (Left/Right: the previous/next block; Up/Down: the same slot an hour before/after,
// or the nearest block of that hour; Home/End: the first/last). Enter opens the focused block (a
// link). Without this file every block is a link of its own in the Tab order.
(function () {
  "use strict";
  var diary = document.querySelector("[data-diary]");
  if (!diary) {
    return;
  }
  var links = Array.prototype.slice.call(diary.querySelectorAll(".block-link"));
  if (!links.length) {
    return;
  }
  var places = links.map(function (link) {
    var slot = link.closest(".slot");
    return {
      hour: Array.prototype.indexOf.call(diary.children, slot.closest(".hour")),
      column: Array.prototype.indexOf.call(slot.parentNode.children, slot)
    };
  });

  function makeCurrent(index) {
    links.forEach(function (link, i) {
      link.tabIndex = i === index ? 0 : -1;
    });
  }

  function nearestInHour(index, step) {
    var here = places[index];
    var best = index;
    var distance = Infinity;
    places.forEach(function (place, i) {
      var away = Math.abs(place.column - here.column);
      if (place.hour === here.hour + step && away < distance) {
        best = i;
        distance = away;
      }
    });
    return best;
  }

  function target(index, key) {
    switch (key) {
      case "ArrowLeft":
        return Math.max(index - 1, 0);
      case "ArrowRight":
        return Math.min(index + 1, links.length - 1);
      case "ArrowUp":
        return nearestInHour(index, -1);
      case "ArrowDown":
        return nearestInHour(index, 1);
      case "Home":
        return 0;
      case "End":
        return links.length - 1;
      default:
        return null;
    }
  }

  makeCurrent(0);
  diary.addEventListener("focusin", function (event) {
    var index = links.indexOf(event.target);
    if (index >= 0) {
      makeCurrent(index);
    }
  });
  diary.addEventListener("keydown", function (event) {
    var index = links.indexOf(event.target);
    var next = index < 0 || event.altKey || event.ctrlKey || event.metaKey ? null : target(index, event.key);
    if (next === null) {
      return;
    }
    event.preventDefault();
    makeCurrent(next);
    links[next].focus();
  });
})();
