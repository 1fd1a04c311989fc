using System.Text.Json.Nodes;
using Lingcheng.Talent.Cards;
using Lingcheng.Talent.Cli.Infrastructure;
using Lingcheng.Talent.V1;

namespace Lingcheng.Talent.Cli.Commands;

/// <summary>Writes a card's QR as PNG, SVG or terminal text; reads QR texts from arguments or images.</summary>
internal static class QrOutput
{
    public static async Task RenderCardAsync(
        CliContext c, TalentRegistryService.TalentRegistryServiceClient registry, string cardNumber,
        FileInfo? png, FileInfo? svg, int pixels, bool lightBackground, CancellationToken ct)
    {
        if (png is not null && svg is not null)
        {
            throw new CliException("choose one of --png and --svg", ExitCodes.Usage);
        }

        if (pixels is < 0 or > 20)
        {
            throw new CliException("--pixels must be between 1 and 20", ExitCodes.Usage);
        }

        var response = await registry.RenderCardQrAsync(new RenderCardQrRequest
        {
            CardNumber = cardNumber,
            Format = svg is not null ? QrImageFormat.Svg : QrImageFormat.Png,
            PixelsPerModule = pixels,
        }, CliContext.Call(ct));

        var file = png ?? svg;
        if (file is not null)
        {
            await File.WriteAllBytesAsync(file.FullName, response.Image.ToByteArray(), ct);
        }

        WriteQr(c, cardNumber, response.QrText, response.QrVersion, file, lightBackground, null);
    }

    /// <summary>Prints a QR text: to a file already written, or drawn in the terminal.</summary>
    public static void WriteQr(CliContext c, string cardNumber, string qrText, int version, FileInfo? file, bool lightBackground, DateTimeOffset? expires)
    {
        if (version <= 0)
        {
            version = QrCodes.GetVersion(qrText);
        }

        if (c.Json)
        {
            var json = new JsonObject
            {
                ["card_number"] = cardNumber,
                ["qr_text"] = qrText,
                ["qr_version"] = version,
            };
            if (file is not null)
            {
                json["file"] = file.FullName;
            }

            if (expires is { } e)
            {
                json["expire_time"] = e.ToString("O", System.Globalization.CultureInfo.InvariantCulture);
            }

            c.Out.WriteJson(json);
            return;
        }

        if (file is not null)
        {
            c.Out.Line($"Wrote the QR of card {cardNumber} to {file.FullName} (QR version {version}, level Q).");
            return;
        }

        c.Out.Write(QrCodes.RenderTerminal(qrText, darkBackground: !lightBackground));
        c.Out.Line($"Card {cardNumber} · QR version {version} · level Q{(expires is { } exp ? $" · valid until {CliOutput.Time(exp)}" : "")}");
        c.Out.Line(qrText);
    }

    /// <summary>The QR text to verify: the argument, or the QR read from an image file.</summary>
    public static string ReadQrText(string? text, FileInfo? image)
    {
        if (image is not null)
        {
            if (!string.IsNullOrEmpty(text))
            {
                throw new CliException("give the QR text or --image, not both", ExitCodes.Usage);
            }

            return QrImageFile.ReadQrText(image);
        }

        if (string.IsNullOrWhiteSpace(text))
        {
            throw new CliException("give the QR text (LCT1:…) or --image FILE (a PNG or JPEG)", ExitCodes.Usage);
        }

        return text.Trim();
    }
}
