// The import page's progress bar: polls the job's progress and reloads the page once it is finished
// (the page then shows the result). The job runs on the server, so a reload finds it where it is.
(function () {
    const box = document.getElementById('import-progress');
    if (!box) {
        return;
    }

    const bar = document.getElementById('import-bar');
    const status = document.getElementById('import-status');
    async function poll() {
        try {
            const response = await fetch(box.dataset.progressUrl, { cache: 'no-store', credentials: 'same-origin' });
            if (response.ok) {
                const p = await response.json();
                bar.max = p.total;
                bar.value = p.done;
                status.textContent = p.status;
                if (p.finished) {
                    location.reload();
                    return;
                }
            }
        } catch {
            // the server is away for a moment: the next poll tells
        }

        setTimeout(poll, 500);
    }

    poll();
})();
