// Service worker of the talent's page (scope /card): network first, the last good copy when offline.
// It keeps the card page, its QR refreshes and the files the page loads, in one cache that the page
// deletes on sign-out. Nothing else of the app is cached.
const CACHE = 'lct-card-v1';

self.addEventListener('install', () => self.skipWaiting());
self.addEventListener('activate', event => event.waitUntil(self.clients.claim()));

// The page sends itself with its newest QR, and the files it loaded, so an offline reload shows that QR.
self.addEventListener('message', event => {
    const data = event.data;
    if (!data || data.type !== 'page' || typeof data.html !== 'string') {
        return;
    }

    const sameOrigin = (Array.isArray(data.files) ? data.files : []).filter(url => new URL(url).origin === self.location.origin);
    event.waitUntil(caches.open(CACHE).then(cache => Promise.all([
        cache.put('/card', new Response('<!DOCTYPE html>' + data.html, { headers: { 'Content-Type': 'text/html; charset=utf-8' } })),
        ...sameOrigin.map(url => cache.match(url).then(hit => hit || cache.add(url)).catch(() => { })),
    ])));
});

self.addEventListener('fetch', event => {
    const request = event.request;
    const url = new URL(request.url);
    if (request.method !== 'GET' || url.origin !== self.location.origin || url.pathname === '/card/qr') {
        return; // a QR that cannot be fetched fresh is useless: the page handles that itself
    }

    const key = request.mode === 'navigate' ? '/card' : request;
    event.respondWith(fetch(request).then(response => {
        if (response.ok && !response.redirected) {
            const copy = response.clone();
            caches.open(CACHE).then(cache => cache.put(key, copy));
        }

        return response;
    }).catch(() => caches.match(key).then(cached => cached || Response.error())));
});
