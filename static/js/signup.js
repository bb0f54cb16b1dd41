// Signup: suggest a workspace address from the company name until the visitor types one.
document.addEventListener("DOMContentLoaded", () => {
  const company = document.getElementById("id_organization_name");
  const subdomain = document.getElementById("id_subdomain");
  if (!company || !subdomain) return;
  let typedByVisitor = subdomain.value !== "";
  subdomain.addEventListener("input", (event) => { if (event.isTrusted) typedByVisitor = true; });
  company.addEventListener("input", () => {
    if (typedByVisitor) return;
    subdomain.value = company.value.normalize("NFKD").replace(/[\u0300-\u036f]/g, "").toLowerCase()
      .replace(/[^a-z0-9]+/g, "-")
      .slice(0, 40).replace(/^-+|-+$/g, "");
    subdomain.dispatchEvent(new Event("input", { bubbles: true }));  // htmx checks availability
  });
});
