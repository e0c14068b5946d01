/* The document reader: bring the marked span (?at=START-END, <mark id="at">) into view, centred. */
"use strict";

(function () {
  const mark = document.getElementById("at");
  if (mark) mark.scrollIntoView({ block: "center" });
})();
