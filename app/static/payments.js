// Stripe card payment: the keys and URLs come from data attributes of the form (no inline script).
(function () {
  "use strict";
  const form = document.getElementById("stripe-pay-form");
  if (!form || typeof Stripe === "undefined") { return; }
  const stripe = Stripe(form.dataset.publishableKey);
  const card = stripe.elements().create("card");
  card.mount("#card-element");
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const result = await stripe.confirmCardPayment(form.dataset.clientSecret, {payment_method: {card}});
    if (result.error) {
      document.getElementById("card-errors").textContent = result.error.message;
    } else {
      window.location = form.dataset.returnUrl;
    }
  });
})();
