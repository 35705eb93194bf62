/* The course site: small fixes to the theme (book/_ext/course_pages.py). */

/* Display math too wide for the column scrolls in its own box (course.css): such a box takes
   the keyboard focus, so it can be scrolled without a mouse (axe: scrollable-region-focusable). */
(function () {
  function focusable() {
    document.querySelectorAll('mjx-container[display="true"]').forEach(function (m) {
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
