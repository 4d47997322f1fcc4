// On a narrow screen (a phone at court) the main menu sits behind its button; the stylesheet
// decides when. Without this script the menu simply stays open.
document.documentElement.classList.add("js");
document.addEventListener("DOMContentLoaded", () => {
  const button = document.querySelector(".menu-button");
  const bar = button && button.closest(".topbar");
  if (!bar) return;
  button.addEventListener("click", () => {
    const open = button.getAttribute("aria-expanded") !== "true";
    button.setAttribute("aria-expanded", String(open));
    bar.classList.toggle("menu-open", open);  // the menu and the account links
  });
});
