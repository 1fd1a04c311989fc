// The desk's page side: the scan box keeps the keyboard (a handheld scanner types the QR text and
// Enter), and the camera grabs frames for the server to read. Nothing here holds a token: the text
// goes to the desk's server component, the frames to /desk/frames with the session cookie.

let component = null;
let maxLength = 4096;
let box = null;
let camera = null;

export function init(dotnet, maxTextLength) {
    component = dotnet;
    maxLength = maxTextLength;
    box = document.getElementById('scan-box');
    box.addEventListener('keydown', onBoxKey);
    document.getElementById('scan-submit').addEventListener('click', submit);
    document.addEventListener('keydown', onDocumentKey, true);
    focusScanBox();
}

export function dispose() {
    document.removeEventListener('keydown', onDocumentKey, true);
    stopCamera();
    component = null;
}

// Back to the scan box after each verdict or action, unless the clerk is typing somewhere else.
export function focusScanBox() {
    if (box && !isTextEntry(document.activeElement)) {
        box.focus();
    }
}

function onBoxKey(e) {
    if (e.key === 'Enter') {
        e.preventDefault();
        submit();
    }
}

// A scanner types wherever the focus is: a printable key outside a text field goes to the scan box,
// so its Enter can never press a focused button (such as Record use).
function onDocumentKey(e) {
    if (e.target === box || isTextEntry(e.target) || e.ctrlKey || e.altKey || e.metaKey) {
        return;
    }

    if (e.key.length === 1) {
        box.focus();
    }
}

function isTextEntry(element) {
    if (!element) {
        return false;
    }

    const tag = element.tagName;
    return (tag === 'INPUT' && element !== box) || tag === 'TEXTAREA' || tag === 'SELECT' || element.isContentEditable;
}

function submit() {
    const text = box.value.trim();
    box.value = '';
    if (!text || !component) {
        return;
    }

    window.lctScanSubmittedAt = performance.now();
    if (text.length > maxLength) {
        component.invokeMethodAsync('ScanTooLong', text.length); // never sends a huge paste to the server
    } else {
        component.invokeMethodAsync('Scan', text);
    }
}

// Returns null when the camera runs, or why it cannot (no camera, permission refused, not a secure page).
export async function startCamera() {
    if (camera) {
        return null;
    }

    if (!navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) {
        return 'getUserMedia is not available (the page must be opened over https or on this computer)';
    }

    let stream;
    try {
        stream = await navigator.mediaDevices.getUserMedia({
            video: { facingMode: 'environment', width: { ideal: 1280 }, height: { ideal: 720 } },
            audio: false,
        });
    } catch (error) {
        return error && error.name ? error.name : String(error);
    }

    const video = document.getElementById('camera-video');
    video.srcObject = stream;
    await video.play().catch(() => { });
    camera = { stream, video, canvas: document.createElement('canvas'), firstFrameAt: null };
    readFrames(camera);
    return null;
}

export function stopCamera() {
    if (!camera) {
        return;
    }

    camera.stream.getTracks().forEach(track => track.stop());
    camera.video.srcObject = null;
    camera = null;
}

// One frame in flight at a time: grab, send, and go again at once when the server found nothing.
async function readFrames(session) {
    while (camera === session) {
        const video = session.video;
        if (video.readyState >= 2 && video.videoWidth > 0) {
            session.firstFrameAt ??= performance.now();
            const text = await decodeFrame(session, video).catch(() => null);
            if (text && camera === session) {
                window.lctCameraRead = { firstFrameAt: session.firstFrameAt, readAt: performance.now() };
                stopCamera();
                window.lctScanSubmittedAt = performance.now();
                component?.invokeMethodAsync('CameraRead', text);
                return;
            }
        }

        await new Promise(resolve => setTimeout(resolve, 60));
    }
}

async function decodeFrame(session, video) {
    const scale = Math.min(1, 800 / Math.max(video.videoWidth, video.videoHeight));
    const width = Math.round(video.videoWidth * scale);
    const height = Math.round(video.videoHeight * scale);
    const canvas = session.canvas;
    canvas.width = width;
    canvas.height = height;
    const context = canvas.getContext('2d', { willReadFrequently: true });
    context.drawImage(video, 0, 0, width, height);
    const rgba = context.getImageData(0, 0, width, height).data;
    const luminance = new Uint8Array(width * height);
    for (let i = 0, p = 0; i < luminance.length; i++, p += 4) {
        luminance[i] = (rgba[p] * 77 + rgba[p + 1] * 150 + rgba[p + 2] * 29) >> 8;
    }

    const response = await fetch(`desk/frames?width=${width}&height=${height}`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/octet-stream' },
        body: luminance,
        credentials: 'same-origin',
    });
    return response.status === 200 ? (await response.json()).text : null;
}
