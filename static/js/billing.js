// Billing page: − / + buttons beside each add-on quantity, and the new monthly total as it changes.
// Without this script the quantities are plain number inputs and the confirm page shows the total.
document.addEventListener("DOMContentLoaded", () => {
  const form = document.querySelector("form[data-add-ons]");
  if (!form) return;
  const total = form.querySelector("[data-new-total]");
  const inputs = [...form.querySelectorAll("input[type=number]")];
  // As subscriptions/money.py writes it: $1,234, €1,234.50, ₹1,00,000 (Indian grouping).
  const currency = form.dataset.currency || "usd";
  const symbol = { usd: "$", eur: "€", inr: "₹" }[currency] || "";
  const dollars = (cents) => symbol + (cents / 100).toLocaleString(currency === "inr" ? "en-IN" : "en-US", {
    minimumFractionDigits: cents % 100 ? 2 : 0, maximumFractionDigits: 2,
  });
  const update = () => {
    let cents = Number(form.dataset.planCents);
    for (const input of inputs) {
      const quantity = Number(input.value);
      if (!Number.isInteger(quantity) || quantity < 0) { total.textContent = "—"; return; }
      cents += quantity * Number(input.dataset.unitCents);
    }
    total.textContent = dollars(cents);
  };
  for (const button of form.querySelectorAll("[data-step]")) {
    button.hidden = false;
    button.addEventListener("click", () => {
      const input = document.getElementById(button.getAttribute("aria-controls"));
      const next = Math.min(Number(input.max), Math.max(0, (Number(input.value) || 0) + Number(button.dataset.step)));
      input.value = String(next);
      input.dispatchEvent(new Event("input", { bubbles: true }));
    });
  }
  form.addEventListener("input", update);
  update();
});
