using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Lingcheng.Talent.Registry.Data.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class SigningKeyRevocation : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "RevocationNote",
                table: "SigningKeys",
                type: "TEXT",
                maxLength: 500,
                nullable: true);

            migrationBuilder.AddColumn<DateTime>(
                name: "RevokedAt",
                table: "SigningKeys",
                type: "TEXT",
                nullable: true);

            migrationBuilder.AddColumn<bool>(
                name: "SignaturesRecorded",
                table: "SigningKeys",
                type: "INTEGER",
                nullable: false,
                defaultValue: false);

            migrationBuilder.CreateTable(
                name: "SignedTokens",
                columns: table => new
                {
                    Kid = table.Column<string>(type: "TEXT", fixedLength: true, maxLength: 16, nullable: false),
                    CardNumber = table.Column<string>(type: "TEXT", fixedLength: true, maxLength: 11, nullable: false),
                    CardVersion = table.Column<int>(type: "INTEGER", nullable: false),
                    ExpiresAt = table.Column<DateTime>(type: "TEXT", nullable: false),
                    LastSignedAt = table.Column<DateTime>(type: "TEXT", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_SignedTokens", x => new { x.Kid, x.CardNumber });
                });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "SignedTokens");

            migrationBuilder.DropColumn(
                name: "RevocationNote",
                table: "SigningKeys");

            migrationBuilder.DropColumn(
                name: "RevokedAt",
                table: "SigningKeys");

            migrationBuilder.DropColumn(
                name: "SignaturesRecorded",
                table: "SigningKeys");
        }
    }
}
