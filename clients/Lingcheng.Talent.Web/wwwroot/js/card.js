// The talent's page: keeps the dynamic QR fresh (a new one well before the shown one expires), greys
// it out once it has expired and cannot be renewed (offline), and registers the service worker that
// lets the page open without a network. Plain script, no library: the page must stay light on a phone.

const figure = document.getElementById('card-qr');
const status = document.getElementById('qr-status');
let refreshing = false;
let failedAt = 0;

function format(template, value) {
    return template.replace('{0}', value);
}

function chinaTime(ms) {
    return new Date(ms).toLocaleString('zh-CN', { timeZone: 'Asia/Shanghai', hour12: false });
}

async function refresh() {
    refreshing = true;
    try {
        const response = await fetch('/card/qr', { cache: 'no-store', credentials: 'same-origin' });
        if (response.status === 409) {
            location.reload(); // the card is no longer active: the page says why
            return;
        }

        if (!response.ok) {
            throw new Error(String(response.status));
        }

        const qr = await response.json();
        figure.querySelector('.qr-image').innerHTML = qr.svg;
        figure.dataset.issuedAt = qr.issuedAt;
        figure.dataset.expiresAt = qr.expiresAt;
        figure.dataset.fetchedAt = Date.now();
        failedAt = 0;
        remember();
    } catch {
        failedAt = Date.now(); // offline or the server is away: try again in a few seconds
    } finally {
        refreshing = false;
    }
}

// The page as it is now (with the newest QR) and the files it loaded go into the service worker's
// cache, so an offline reload shows that QR, greyed once expired. The files are named here because
// the first visit loaded them before the worker was running.
function remember() {
    if (navigator.serviceWorker && navigator.serviceWorker.controller) {
        const files = [...document.querySelectorAll('link[rel="stylesheet"][href], link[rel="manifest"][href], script[src]')]
            .map(element => element.href || element.src);
        navigator.serviceWorker.controller.postMessage({ type: 'page', html: document.documentElement.outerHTML, files });
    }
}

function tick() {
    if (!figure) {
        return;
    }

    const now = Date.now();
    const issued = Number(figure.dataset.issuedAt);
    const expires = Number(figure.dataset.expiresAt);
    const lifetime = Math.max(1000, expires - issued);
    const lead = Math.max(3000, Math.min(30000, lifetime / 3));
    const left = expires - now;
    if (left <= lead && !refreshing && now - failedAt > 5000) {
        refresh();
    }

    const expired = left <= 0;
    figure.classList.toggle('expired', expired);
    if (expired) {
        status.textContent = figure.dataset.textExpired;
    } else if (failedAt) {
        status.textContent = format(figure.dataset.textOffline, chinaTime(Number(figure.dataset.fetchedAt)));
    } else {
        status.textContent = format(figure.dataset.textCountdown, Math.ceil(left / 1000));
    }
}

if (figure) {
    tick();
    setInterval(tick, 1000);
}

for (const form of document.querySelectorAll('form[action="/signout"]')) {
    // Nothing of this card stays on the phone after signing out.
    form.addEventListener('submit', () => caches.delete('lct-card-v1'));
}

if ('serviceWorker' in navigator) {
    navigator.serviceWorker.addEventListener('controllerchange', remember); // the first visit: the worker takes over the page
    navigator.serviceWorker.register('/card-sw.js', { scope: '/card' }).then(() => navigator.serviceWorker.ready).then(remember).catch(() => { });
}
