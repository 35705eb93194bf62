/* The course site: small fixes to the theme (book/_ext/course_pages.py). */

/* What is too wide for the column scrolls in its own box (course.css): display math, a wide
   figure on a phone, a table, an explorer. Such a box takes the keyboard focus, so it can be
   scrolled without a mouse (axe: scrollable-region-focusable). */
(function () {
  var SCROLLING = 'mjx-container[display="true"], .cell_output, .pst-scrollable-table-container, .cnn-explorer';
  function focusable() {
    document.querySelectorAll(SCROLLING).forEach(function (m) {
      if (m.scrollWidth > m.clientWidth + 1) {
        m.tabIndex = 0;
      } else if (m.tabIndex === 0) {
        m.removeAttribute("tabindex");
      }
    });
  }
  window.addEventListener("load", function () {
    var mj = window.MathJax;
    var typeset = mj && mj.startup && mj.startup.promise ? mj.startup.promise : Promise.resolve();
    typeset.then(focusable);
    var later = null;
    window.addEventListener("resize", function () { clearTimeout(later); later = setTimeout(focusable, 200); });
  });
})();

/* Search: one result per page (Sphinx lists a page again for each of its sections that
   matches, and counts every entry as a page: "found 9 pages", 8 listed). The best-scoring
   entry of each page is kept, so the count is the number of pages shown. */
(function () {
  if (typeof Search === "undefined" || !Search._performSearch) { return; }
  var perform = Search._performSearch;
  Search._performSearch = function () {
    var results = perform.apply(Search, arguments), seen = {}, kept = [];
    for (var i = results.length - 1; i >= 0; i--) {      // the best are at the end
      if (!seen[results[i][0]]) { seen[results[i][0]] = true; kept.push(results[i]); }
    }
    return kept.reverse();
  };
})();
